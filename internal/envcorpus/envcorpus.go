// Package envcorpus holds the values the tests of `terok auth env` put
// through each format's real consumer (sh, bash, godotenv, python-dotenv,
// jq, podman --env-file): every byte alone, and the combinations that
// broke or could break a quoting. The fuzz targets seed from it too.
package envcorpus

// Hostile are values that end a quoting early, escape its end, expand
// something, or smuggle a line of their own.
var Hostile = []string{
	"", " ", "  lead", "trail  ", "\t", "x",
	`\`, `x\`, `x\\`, `\\`, `\n`, `\$`, `\$X`, `\"`, `\'`, `"`, `x"`, `"x`, `""`, `'`, `x'`, `''`, `'\''`,
	"$", "$$", "$HOME", "$A_TOKEN", "${HOME}", "${A_TOKEN}", "${HOME:-x}", "${a:b}", "$(id)", "$(ID)", "`id`", "$((1+1))",
	"\n", "\r", "\r\n", "\n\n", "x\n", "\nx", "a\rb", "x\r",
	"a\nLD_PRELOAD=x", "a\nLD_PRELOAD=x\n", "\nLD_PRELOAD=x", "a\rLD_PRELOAD=x",
	"x\\\nLD_PRELOAD=x", `x\` + "\nLD_PRELOAD=x", "x\\\"\nLD_PRELOAD=/tmp/x.so\n",
	"\"\nLD_PRELOAD=x\n\"", "'\nLD_PRELOAD=x\n'", "x'\nLD_PRELOAD=x\n'", "x\"\nLD_PRELOAD=x\nY=\"",
	"'; LD_PRELOAD=x; '", "\"; LD_PRELOAD=x; \"", "'$(touch /tmp/terok-env-pwned)'",
	"export LD_PRELOAD=x", "LD_PRELOAD=x", "=", "A=B", "#", "#x", "x #y", "x#y", " #x",
	"a\x00b", "\x00",
	"é", "€uro", "😀", "\u00a0nbsp\u00a0", "\u0085", "\u2028", "\ufeffbom", "\xff", "\xc3", "\xed\xa0\x80", "\xff\xfeLD_PRELOAD=x",
	`C:\dir\`, `C:\Program Files\`, ` x\`, `x #y\`, `a b"`, `it's "quoted" $HOME back\slash` + "\nsecond line\twith tab",
	"sk-or-v1 with spaces and 'single' \"double\" $$ \\n literal",
	"ghp_0123456789abcdefABCDEF0123456789abcd", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-_",
}

// Values are Hostile and every byte value alone.
func Values() []string {
	vs := make([]string, 0, 256+len(Hostile))
	for b := 0; b < 256; b++ {
		vs = append(vs, string([]byte{byte(b)}))
	}
	return append(vs, Hostile...)
}
