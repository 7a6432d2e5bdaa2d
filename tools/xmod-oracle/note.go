package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// "note" answers one query per input line; every free-form field is base64
// ("-" for empty).
//
//	verifier B64KEY            -> ok NAME HASH | err MSG
//	signer B64KEY              -> ok NAME HASH | err MSG
//	gen SEEDHEX B64NAME        -> SKEY VKEY
//	open B64MSG B64VKEY...     -> ok|err MSG, then " T=" B64TEXT " S=" SIGS " U=" SIGS
//	sign B64TEXT B64SKEY...    -> ok B64MSG | err MSG
//
// SIGS is a comma-separated list of B64NAME:HASH:SIGBASE64 (or -). For open
// errors other than an unverified note, only "err MSG" is printed.
func init() {
	register("note", func(in *bufio.Reader, out *bufio.Writer) error {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 1<<20), 1<<26)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 0 {
				continue
			}
			b64 := func(s string) []byte {
				if s == "-" {
					return nil
				}
				v, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					panic(err)
				}
				return v
			}
			var ans string
			switch f[0] {
			case "verifier":
				v, err := note.NewVerifier(string(b64(f[1])))
				if err != nil {
					ans = "err " + err.Error()
				} else {
					ans = fmt.Sprintf("ok %s %08x", v.Name(), v.KeyHash())
				}
			case "signer":
				s, err := note.NewSigner(string(b64(f[1])))
				if err != nil {
					ans = "err " + err.Error()
				} else {
					ans = fmt.Sprintf("ok %s %08x", s.Name(), s.KeyHash())
				}
			case "gen":
				seed, err := hex.DecodeString(f[1])
				if err != nil {
					return err
				}
				skey, vkey, err := note.GenerateKey(bytes.NewReader(seed), string(b64(f[2])))
				if err != nil {
					return err
				}
				ans = skey + " " + vkey
			case "open":
				var vs []note.Verifier
				for _, k := range f[2:] {
					v, err := note.NewVerifier(string(b64(k)))
					if err != nil {
						return err
					}
					vs = append(vs, v)
				}
				n, err := note.Open(b64(f[1]), note.VerifierList(vs...))
				var unverified *note.UnverifiedNoteError
				switch {
				case err == nil:
					ans = "ok" + noteFields(n)
				case errors.As(err, &unverified):
					ans = "err " + err.Error() + noteFields(unverified.Note)
				default:
					ans = "err " + err.Error()
				}
			case "sign":
				var ss []note.Signer
				for _, k := range f[2:] {
					s, err := note.NewSigner(string(b64(k)))
					if err != nil {
						return err
					}
					ss = append(ss, s)
				}
				msg, err := note.Sign(&note.Note{Text: string(b64(f[1]))}, ss...)
				if err != nil {
					ans = "err " + err.Error()
				} else {
					ans = "ok " + base64.StdEncoding.EncodeToString(msg)
				}
			default:
				return fmt.Errorf("unknown note query %q", f[0])
			}
			out.WriteString(ans + "\n")
		}
		return sc.Err()
	})
}

func noteFields(n *note.Note) string {
	sigs := func(list []note.Signature) string {
		if len(list) == 0 {
			return "-"
		}
		var s []string
		for _, sig := range list {
			s = append(s, fmt.Sprintf("%s:%08x:%s", base64.StdEncoding.EncodeToString([]byte(sig.Name)), sig.Hash, sig.Base64))
		}
		return strings.Join(s, ",")
	}
	return " T=" + base64.StdEncoding.EncodeToString([]byte(n.Text)) + " S=" + sigs(n.Sigs) + " U=" + sigs(n.UnverifiedSigs)
}
