package iampolicy_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
)

func TestJSONIsCompactAndStable(t *testing.T) {
	doc := iampolicy.New(iampolicy.Statement{
		Sid:       "List",
		Effect:    iampolicy.Allow,
		Action:    []string{"s3:ListBucket"},
		Resource:  []string{iampolicy.BucketARN("b")},
		Condition: iampolicy.PrefixCondition("x/", "y/"),
	}, iampolicy.Statement{
		Effect:    iampolicy.Allow,
		Principal: map[string][]string{"Service": {"lambda.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
	})
	want := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"List","Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::b"],"Condition":{"StringLike":{"s3:prefix":["x/*","y/*"]}}},` +
		`{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}`
	if got := doc.JSON(); got != want {
		t.Errorf("JSON:\n got %s\nwant %s", got, want)
	}
}

func TestObjectsARN(t *testing.T) {
	if got := iampolicy.ObjectsARN("b", "p/"); got != "arn:aws:s3:::b/p/*" {
		t.Errorf("ObjectsARN = %s", got)
	}
	if got := iampolicy.ObjectsARN("b", ""); got != "arn:aws:s3:::b/*" {
		t.Errorf("ObjectsARN = %s", got)
	}
}

// TestSingleAsString: one principal and one resource come out as plain
// strings, longer lists and every other field as before; nothing is
// HTML-escaped on either path.
func TestSingleAsString(t *testing.T) {
	condition := iampolicy.Condition{"StringEquals": {"aws:SourceAccount": {"123456789012"}}}
	doc := iampolicy.New(iampolicy.Statement{
		Sid:            "Logs",
		Effect:         iampolicy.Allow,
		Principal:      map[string][]string{"Service": {"logging.s3.amazonaws.com"}},
		Action:         []string{"s3:PutObject"},
		Resource:       []string{"arn:aws:s3:::logs/a&b/*"},
		Condition:      condition,
		SingleAsString: true,
	}, iampolicy.Statement{
		Effect:         iampolicy.Allow,
		Principal:      map[string][]string{"AWS": {"arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/b"}},
		Action:         []string{"s3:GetObject"},
		Resource:       []string{"arn:aws:s3:::b/*", "arn:aws:s3:::c/*"},
		SingleAsString: true,
	}, iampolicy.Statement{
		Effect:   iampolicy.Allow,
		Action:   []string{"s3:GetObject"},
		Resource: []string{"arn:aws:s3:::a&b/*"},
	})
	want := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Logs","Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":["s3:PutObject"],"Resource":"arn:aws:s3:::logs/a&b/*","Condition":{"StringEquals":{"aws:SourceAccount":["123456789012"]}}},` +
		`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/a","arn:aws:iam::111122223333:role/b"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/*","arn:aws:s3:::c/*"]},` +
		`{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::a&b/*"]}]}`
	if got := doc.JSON(); got != want {
		t.Errorf("JSON:\n got %s\nwant %s", got, want)
	}

	// Read back, each statement is what was written: the first with
	// SingleAsString, the third without.
	var read iampolicy.Document
	if err := json.Unmarshal([]byte(want), &read); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(read.Statement[0], doc.Statement[0]) || !reflect.DeepEqual(read.Statement[2], doc.Statement[2]) || read.JSON() != want {
		t.Errorf("read back:\n got %+v\nwant %+v", read, doc)
	}
	for _, bad := range []string{
		`{"Effect":"Allow","Action":["s3:GetObject"],"Resources":["arn:aws:s3:::b/*"]}`,
		`{"Effect":"Allow","Action":["s3:GetObject"],"Resource":[1]}`,
		`{"Effect":"Allow","Principal":{"AWS":{"a":"b"}},"Action":["s3:GetObject"]}`,
	} {
		var st iampolicy.Statement
		if err := json.Unmarshal([]byte(bad), &st); err == nil {
			t.Errorf("read %s without an error", bad)
		}
	}
}
