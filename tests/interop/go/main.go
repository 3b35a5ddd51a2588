// Command signbytes is an outside oracle for the sign bytes of Binance Chain transactions: it
// computes them the way the node does, with Go's standard encoding/json only, for generated
// memos and symbols, and writes a `tx` vector file that `dexlink vectors run` checks against
// dexlink's own sign documents.
//
//	go run . [-seed S] [-count N] OUT.json      (from tests/interop/go; no dependencies)
//
// The node's path (bnc-cosmos-sdk x/auth/stdtx.go StdSignBytes, binance-chain.md §5):
//  1. each msg's GetSignBytes is json.Marshal of the msg struct (fields in struct order);
//  2. the StdSignDoc (account_number, sequence and source int64 as strings, as go-amino JSON
//     writes them; data a nil []byte, so null) is marshalled with the msgs as raw JSON;
//  3. sdk.MustSortJSON: json.Unmarshal into interface{} (UseNumber, after FixSignBytesOverflow)
//     and json.Marshal again, which sorts keys and escapes <, >, &, U+2028, U+2029, controls,
//     and replaces invalid UTF-8 with U+FFFD.
//
// Go ≥ 1.22 writes \b and \f for 0x08 and 0x0C where older Go writes \u0008 and \u000c; dexlink
// refuses those two in memos, so such memos are written as vectors that expect an error, as are
// memos over the node's 128 bytes and symbols dexlink does not accept (it signs only symbols of
// ASCII letters, digits, '.', '-' and one '_'; the node's own symbol rules are stricter still).
// Memos that are not UTF-8 cannot be built with dexlink's API (a memo is a Rust string); they
// can arrive only in transaction bytes, so they are spliced into an upstream transaction
// (binance-chain.md §9.4 V13, memo "test") that dexlink must refuse to decode, since the node
// would sign U+FFFD in their place (the sign bytes Go computes are recorded in `go_sign_bytes`).
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand"
	"os"
	"runtime"
	"strings"
	"unicode/utf8"
)

// Upstream values (binance-chain.md §9.1/§9.4): key 95949f… signs V13; its address and 20 bytes.
const (
	key        = "95949f757db1f57ca94a5dff23314accbe7abee89597bf6a3c7382c84d7eb832"
	sender     = "bnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lxfn46h2"
	senderHex  = "40C2979694BBC961023D1D27BE6FC4D21A9FEBE6"
	recipient  = "bnb13zeh6hs97d5eu2s5qerguhv8ewwue6u4ywa6yf"
	chainID    = "Binance-Chain-Tigris"
	v13Tx      = "cc01f0625dee0a4e2a2c87fa0a230a1440c2979694bbc961023d1d27be6fc4d21a9febe6120b0a03424e4210c098a8dd0312230a1488b37d5e05f3699e2a1406468e5d87cb9dcceb95120b0a03424e4210c098a8dd03126e0a26eb5ae98721026a35920088d98c3888ca68c53dfc93f4564602606cbb87f0fe5ee533db38e5021240c65a13440f18a155bd971ee40b9e0dd58586f5bf344e12ec4c76c439aebca8c7789bab7bfbfb4ce89aadc4a02df225b6b6efc861c13bbeb5f7a3eea2d7ffc80f181320171a04746573742001"
	v13MemoHex = "1a0474657374" // field 3 (memo), length 4, "test"
	maxMemo    = 128            // node common/tx/ante.go maxMemoCharacters
)

type coin struct {
	Denom  string `json:"denom"`
	Amount int64  `json:"amount"`
}

type inOut struct {
	Address string `json:"address"`
	Coins   []coin `json:"coins"`
}

// sendMsg is bank.MsgSend's JSON shape.
type sendMsg struct {
	Inputs  []inOut `json:"inputs"`
	Outputs []inOut `json:"outputs"`
}

// newOrderMsg is the node's order.NewOrderMsg, fields in its struct order.
type newOrderMsg struct {
	Sender      string `json:"sender"`
	ID          string `json:"id"`
	Symbol      string `json:"symbol"`
	OrderType   int8   `json:"ordertype"`
	Side        int8   `json:"side"`
	Price       int64  `json:"price"`
	Quantity    int64  `json:"quantity"`
	TimeInForce int8   `json:"timeinforce"`
}

// stdSignDoc is auth.StdSignDoc as go-amino JSON writes it (int64 as strings).
type stdSignDoc struct {
	AccountNumber int64             `json:"account_number,string"`
	ChainID       string            `json:"chain_id"`
	Data          []byte            `json:"data"`
	Memo          string            `json:"memo"`
	Msgs          []json.RawMessage `json:"msgs"`
	Sequence      int64             `json:"sequence,string"`
	Source        int64             `json:"source,string"`
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "signbytes:", err)
		os.Exit(1)
	}
}

// sortJSON is sdk.SortJSON after FixSignBytesOverflow.
func sortJSON(b []byte) []byte {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v interface{}
	must(d.Decode(&v))
	out, err := json.Marshal(v)
	must(err)
	return out
}

func signBytes(msg interface{}, memo string, accnum, seq, source int64) string {
	m, err := json.Marshal(msg)
	must(err)
	doc, err := json.Marshal(stdSignDoc{
		AccountNumber: accnum,
		ChainID:       chainID,
		Memo:          memo,
		Msgs:          []json.RawMessage{m},
		Sequence:      seq,
		Source:        source,
	})
	must(err)
	return string(sortJSON(doc))
}

// Characters memos and symbols are drawn from: plain text, what Go escapes (<, >, &, quotes,
// backslash, U+2028/2029, controls), and what it leaves raw (non-ASCII letters, emoji, bidi and
// zero-width characters, DEL, '/').
var pool = []rune{
	'a', 'b', 'Z', '0', '9', ' ', '.', '-', '_', '/', '\'', '"', '\\', '<', '>', '&', '=', '?',
	'\u2028', '\u2029', 'é', '€', '中', '😀', '\u202e', '\u200b', '\u200d', '\ufeff', '\u0085',
	'\x7f', '\x00', '\x01', '\x1f', '\n', '\r', '\t', '\x08', '\x0c', '\ufffd',
}

func randText(r *rand.Rand, maxRunes int) string {
	n := r.Intn(maxRunes + 1)
	var b strings.Builder
	for i := 0; i < n; i++ {
		if r.Intn(3) == 0 {
			b.WriteRune(pool[r.Intn(len(pool))])
		} else {
			b.WriteByte(byte(' ' + r.Intn(95)))
		}
	}
	return b.String()
}

// symbolOK is dexlink's symbol rule (sdk/src/tx/text.rs check_symbol): what it signs.
func symbolOK(s string, pair bool) bool {
	tok := func(t string) bool {
		if t == "" {
			return false
		}
		for i := 0; i < len(t); i++ {
			c := t[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
				return false
			}
		}
		return true
	}
	if len(s) > 64 {
		return false
	}
	if !pair {
		return tok(s)
	}
	i := strings.IndexByte(s, '_')
	return i >= 0 && tok(s[:i]) && tok(s[i+1:])
}

func randSymbol(r *rand.Rand) string {
	const plain = "ABCXYZ019.-"
	tok := func() string {
		n := 1 + r.Intn(8)
		var b strings.Builder
		for i := 0; i < n; i++ {
			if r.Intn(16) == 0 {
				b.WriteRune(pool[r.Intn(len(pool))])
			} else {
				b.WriteByte(plain[r.Intn(len(plain))])
			}
		}
		return b.String()
	}
	return tok() + "_" + tok()
}

func main() {
	seed := flag.String("seed", "dexlink-go-sign-bytes-v1", "generator seed")
	count := flag.Int("count", 1000, "vectors to generate (memos and symbols)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: signbytes [-seed S] [-count N] OUT.json")
		os.Exit(2)
	}
	h := fnv.New64a()
	h.Write([]byte(*seed))
	r := rand.New(rand.NewSource(int64(h.Sum64())))

	var vectors []map[string]interface{}
	for i := 0; i < *count; i++ {
		accnum, seq, source := r.Int63n(1<<40), r.Int63n(1<<20), int64(r.Intn(3))
		v := map[string]interface{}{
			"type":           "tx",
			"private_key":    key,
			"chain_id":       chainID,
			"account_number": accnum,
			"sequence":       seq,
			"source":         source,
		}
		var msg interface{}
		memo := ""
		if i%2 == 0 {
			// A send with a generated memo.
			memo = randText(r, 40)
			if r.Intn(8) == 0 {
				memo = strings.Repeat("<&>", 40) + memo // over 128 bytes, escaped or not
			}
			amount := 1 + r.Int63n(1<<53)
			msg = sendMsg{
				Inputs:  []inOut{{Address: sender, Coins: []coin{{Denom: "BNB", Amount: amount}}}},
				Outputs: []inOut{{Address: recipient, Coins: []coin{{Denom: "BNB", Amount: amount}}}},
			}
			v["id"] = fmt.Sprintf("go-memo-%03d", i)
			v["msg"] = map[string]interface{}{
				"kind": "send",
				"outputs": []map[string]interface{}{
					{"address": recipient, "coins": []map[string]interface{}{{"denom": "BNB", "amount": amount}}},
				},
			}
			v["memo"] = memo
			switch {
			case len(memo) > maxMemo:
				v["expect_error"] = "invalid-tx"
				v["why"] = fmt.Sprintf("memo of %d bytes, over the node's %d", len(memo), maxMemo)
			case strings.ContainsAny(memo, "\b\f"):
				v["expect_error"] = "invalid-tx"
				v["why"] = "memo with 0x08 or 0x0C, which Go before and after 1.22 escape differently"
			}
		} else {
			// A new order with a generated pair symbol (and an ASCII memo).
			sym := randSymbol(r)
			memo = randText(r, 8)
			for strings.ContainsAny(memo, "\b\f") {
				memo = randText(r, 8)
			}
			o := newOrderMsg{
				Sender:      sender,
				ID:          fmt.Sprintf("%s-%d", senderHex, seq+1),
				Symbol:      sym,
				OrderType:   2,
				Side:        int8(1 + r.Intn(2)),
				Price:       1 + r.Int63n(1<<50),
				Quantity:    1 + r.Int63n(1<<50),
				TimeInForce: int8([]int{1, 3}[r.Intn(2)]),
			}
			msg = o
			v["id"] = fmt.Sprintf("go-symbol-%03d", i)
			v["memo"] = memo
			v["msg"] = map[string]interface{}{
				"kind":          "new_order",
				"id":            o.ID,
				"symbol":        sym,
				"order_type":    o.OrderType,
				"side":          o.Side,
				"price":         o.Price,
				"quantity":      o.Quantity,
				"time_in_force": o.TimeInForce,
			}
			if !symbolOK(sym, true) {
				v["expect_error"] = "invalid-tx"
				v["why"] = "a symbol dexlink does not sign (only ASCII letters, digits, '.', '-' and one '_')"
			}
		}
		if !utf8.ValidString(memo) {
			panic("generated memos are UTF-8")
		}
		v["sign_bytes"] = signBytes(msg, memo, accnum, seq, source)
		vectors = append(vectors, v)
	}

	// Memos that are not UTF-8, spliced into V13 (same length, so only the memo changes).
	if !strings.Contains(v13Tx, v13MemoHex) {
		must(fmt.Errorf("V13 has no memo field %s", v13MemoHex))
	}
	for i := 0; i < 20; i++ {
		var raw [4]byte
		for {
			r.Read(raw[:])
			if !utf8.Valid(raw[:]) {
				break
			}
		}
		amount := int64(1001000000)
		msg := sendMsg{
			Inputs:  []inOut{{Address: sender, Coins: []coin{{Denom: "BNB", Amount: amount}}}},
			Outputs: []inOut{{Address: recipient, Coins: []coin{{Denom: "BNB", Amount: amount}}}},
		}
		vectors = append(vectors, map[string]interface{}{
			"id":            fmt.Sprintf("go-memo-not-utf8-%02d", i),
			"type":          "tx",
			"tx_hex":        strings.Replace(v13Tx, v13MemoHex, "1a04"+hex.EncodeToString(raw[:]), 1),
			"expect_error":  "invalid-tx",
			"why":           fmt.Sprintf("V13 with memo bytes %x, not UTF-8: the node would sign U+FFFD in their place (go_sign_bytes)", raw),
			"go_sign_bytes": signBytes(msg, string(raw[:]), 19, 23, 1),
		})
	}

	doc := map[string]interface{}{
		"name": "go-sign-bytes",
		"description": "Sign bytes computed by Go's standard encoding/json the way the node computes them " +
			"(StdSignBytes: json.Marshal of the msg, the amino-JSON StdSignDoc, SortJSON with UseNumber) " +
			"for generated memos and pair symbols with <, >, &, quotes, controls, U+2028/2029, bidi and " +
			"zero-width characters; memos over 128 bytes, with 0x08/0x0C, or not UTF-8, and symbols " +
			"dexlink does not sign, expect an error.",
		"source": fmt.Sprintf("tests/interop/go/main.go -seed %s -count %d (%s, standard library only)",
			*seed, *count, runtime.Version()),
		"vectors": vectors,
	}
	f, err := os.Create(flag.Arg(0))
	must(err)
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	must(enc.Encode(doc))
	must(f.Close())
	fmt.Fprintf(os.Stderr, "wrote %d vectors to %s\n", len(vectors), flag.Arg(0))
}
