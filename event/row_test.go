package event

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// stdRow decodes b the way the log's reader did before Row: encoding/json
// with UseNumber.
func stdRow(b []byte) (map[string]any, error) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	err := dec.Decode(&m)
	return m, err
}

var rowCases = []string{
	`{}`,
	` { } `,
	`{"id":123456789012345678901234567890,"price":"1.50","n":null}`,
	`{"a":-0.5e+10,"b":0,"c":-0,"d":1E3,"e":true,"f":false}`,
	`{"s":"plain","u":"ünïcødé 🙂","q":"say \"hi\"\n\t\\","e":"\u00e9\ud83d\ude00\/"}`,
	`{"nested":{"a":1},"b":2}`,
	`{"arr":[1,2,"x"]}`,
	`{"dup":1,"dup":2}`,
	`{ "a" : 1 , "b" : "x" }`,
	`{"":""}`,
	"{\"bad\":\"\xff\xfe\"}",
}

func TestRowUnmarshalMatchesEncodingJSON(t *testing.T) {
	for _, c := range rowCases {
		want, err := stdRow([]byte(c))
		if err != nil {
			t.Fatalf("%s: encoding/json: %v", c, err)
		}
		var r Row
		if err := r.UnmarshalJSON([]byte(c)); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if !reflect.DeepEqual(map[string]any(r), want) {
			t.Errorf("%s:\n got %#v\nwant %#v", c, r, want)
		}
	}
}

func TestRowUnmarshalRejectsBadJSON(t *testing.T) {
	for _, c := range []string{`{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a" 1}`, `{"a":1,}`, `{"a":"x}`, `{"a":nul}`, `[1]`, `{"a":1}x`} {
		var r Row
		if err := r.UnmarshalJSON([]byte(c)); err == nil {
			t.Errorf("%s: decoded as %#v, want an error", c, r)
		}
	}
}

func TestRowNull(t *testing.T) {
	r := Row{"x": 1}
	if err := r.UnmarshalJSON([]byte("null")); err != nil || r != nil {
		t.Fatalf("null: %#v, %v", r, err)
	}
}

func FuzzRowUnmarshal(f *testing.F) {
	for _, c := range rowCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, werr := stdRow(b)
		var r Row
		err := r.UnmarshalJSON(b)
		if werr != nil && err == nil {
			t.Fatalf("%q: decoded as %#v, encoding/json refuses it: %v", b, r, werr)
		}
		if werr != nil || err != nil {
			// encoding/json's Decoder reads one value and ignores what
			// follows; Row refuses trailing data. Both refuse the rest.
			return
		}
		if !reflect.DeepEqual(map[string]any(r), want) {
			t.Fatalf("%q:\n got %#v\nwant %#v", b, r, want)
		}
	})
}

func BenchmarkRowUnmarshal(b *testing.B) {
	data := []byte(`{"id":123456,"customer_id":4321,"name":"new 123456","qty":42,"price":"1.50","updated":"2026-12-07 13:55:48.123456"}`)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var r Row
		if err := r.UnmarshalJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}
