package iampolicy_test

import (
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
