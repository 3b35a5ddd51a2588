module dexlink.invalid/signbytes

go 1.19
