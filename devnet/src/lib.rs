//! Local DEX node.
