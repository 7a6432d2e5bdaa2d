package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// Oracle commands for the gotrust env/settings helpers (crates/gotrust/src/settings).
func init() {
	// "urlparse": one URL per input line; prints one JSON object per line with url.Parse's
	// error text, or the parsed components, String() and Redacted().
	register("urlparse", func(in *bufio.Reader, out *bufio.Writer) error {
		return eachLine(in, func(line string) error {
			res := map[string]any{}
			u, err := url.Parse(line)
			if err != nil {
				res["err"] = err.Error()
			} else {
				_, hasPass := u.User.Password()
				res["scheme"] = u.Scheme
				res["opaque"] = u.Opaque
				res["has_user"] = u.User != nil
				res["user"] = u.User.Username()
				res["has_password"] = hasPass
				res["host"] = u.Host
				res["path"] = u.Path
				res["raw_path"] = u.RawPath
				res["omit_host"] = u.OmitHost
				res["force_query"] = u.ForceQuery
				res["raw_query"] = u.RawQuery
				res["fragment"] = u.Fragment
				res["string"] = u.String()
				res["redacted"] = u.Redacted()
			}
			return writeJSON(out, res)
		})
	})
	// "proxyfor": the process environment holds HTTP_PROXY/NO_PROXY/...; one request URL per
	// input line; prints the proxy URL net/http would use, "" for none, or "error: ...".
	register("proxyfor", func(in *bufio.Reader, out *bufio.Writer) error {
		return eachLine(in, func(line string) error {
			req, err := http.NewRequest("GET", line, nil)
			if err != nil {
				_, err = out.WriteString("error: " + err.Error() + "\n")
				return err
			}
			p, err := http.ProxyFromEnvironment(req)
			switch {
			case err != nil:
				_, err = out.WriteString("error: " + err.Error() + "\n")
			case p == nil:
				_, err = out.WriteString("\n")
			default:
				_, err = out.WriteString(p.String() + "\n")
			}
			return err
		})
	})
}

func eachLine(in *bufio.Reader, f func(string) error) error {
	for {
		line, err := in.ReadString('\n')
		if line == "" && err != nil {
			return nil
		}
		if err := f(strings.TrimSuffix(line, "\n")); err != nil {
			return err
		}
	}
}

func writeJSON(out *bufio.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = out.Write(b)
	return err
}
