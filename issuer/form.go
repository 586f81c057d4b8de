package issuer

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"unicode/utf8"
)

// maxFormBytes caps a request body. Every legitimate form here is well under 8 KiB
// (a token, a client id, a scope list); the cap keeps a hostile body from costing memory.
const maxFormBytes = 64 << 10

// readForm reads an RFC 6749 POST form body strictly: POST only, the form content
// type, a size cap, valid UTF-8, and no parameter more than once (RFC 6749 §3.1, §3.2).
// Parameters in the URL query are not read: credentials and tokens do not belong there.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, *Error) {
	if r.Method != http.MethodPost {
		return nil, &Error{Status: http.StatusMethodNotAllowed, Code: "invalid_request", Description: "this endpoint accepts only POST"}
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, errInvalidRequest("the body must be application/x-www-form-urlencoded")
	}
	body, err := readBody(w, r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &Error{Status: http.StatusRequestEntityTooLarge, Code: "invalid_request", Description: "the request body is larger than 64 KiB"}
		}
		return nil, errInvalidRequest("the request body could not be read")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errInvalidRequest("the form body is malformed")
	}
	for k, vs := range form {
		if len(vs) > 1 {
			return nil, errInvalidRequest("parameter " + quoteParam(k) + " is repeated")
		}
		if !utf8.ValidString(k) || !utf8.ValidString(vs[0]) {
			return nil, errInvalidRequest("parameters must be UTF-8")
		}
	}
	return form, nil
}

// readBody reads at most maxFormBytes. A declared length is read into a buffer of
// that size at once (the usual case, and the cheaper one: no buffer growth).
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, maxFormBytes)
	if r.ContentLength <= 0 || r.ContentLength > maxFormBytes {
		return io.ReadAll(body)
	}
	buf := make([]byte, r.ContentLength)
	if _, err := io.ReadFull(body, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// quoteParam names a parameter in an error description without echoing a long or
// binary value back.
func quoteParam(k string) string {
	if len(k) > 40 || !utf8.ValidString(k) {
		return "(unnamed)"
	}
	return `"` + k + `"`
}
