// Package iampolicy writes IAM policy documents (identity, trust and bucket
// policies) as compact JSON strings with a fixed field order, so that the
// synthesized Terraform is byte-for-byte reproducible and reads like the
// policies AWS shows. Values may hold CDKTF tokens (an ARN known only at
// apply time): Terraform fills them in inside the string.
package iampolicy

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Version is the current IAM policy language version.
const Version = "2012-10-17"

// Effects.
const (
	Allow = "Allow"
	Deny  = "Deny"
)

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a Document. Action and Resource are always
// lists, even of one, so that a reviewer sees the same shape everywhere.
type Statement struct {
	Sid    string `json:"Sid,omitempty"`
	Effect string `json:"Effect"`
	// Principal is set in trust and resource policies only, e.g.
	// {"AWS": [role ARNs]} or {"Service": ["lambda.amazonaws.com"]}.
	Principal map[string][]string `json:"Principal,omitempty"`
	Action    []string            `json:"Action"`
	// Resource is empty in trust policies only.
	Resource  []string  `json:"Resource,omitempty"`
	Condition Condition `json:"Condition,omitempty"`
}

// Condition maps an operator ("StringLike") to condition keys and values.
type Condition map[string]map[string][]string

// New is a Document of the given statements.
func New(statements ...Statement) Document {
	return Document{Version: Version, Statement: statements}
}

// JSON is the document as compact JSON. Map keys come out sorted, so the
// same document always gives the same string.
func (d Document) JSON() string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// "&", "<" and ">" never need escaping in a policy; escaping them would
	// only make plans harder to read.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		// A Document holds only strings, lists and maps of strings: encoding
		// cannot fail.
		panic(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// BucketARN is the ARN of an S3 bucket. Bucket ARNs carry no account or
// region, so they are known before anything is deployed.
func BucketARN(bucket string) string { return "arn:aws:s3:::" + bucket }

// ObjectsARN is the ARN of every object in bucket whose key starts with
// prefix ("" for every object).
func ObjectsARN(bucket, prefix string) string { return BucketARN(bucket) + "/" + prefix + "*" }

// PrefixCondition limits s3:ListBucket to keys under the given prefixes
// (each ending in "/"): "<prefix>*" also matches the prefix itself.
func PrefixCondition(prefixes ...string) Condition {
	patterns := make([]string, len(prefixes))
	for i, p := range prefixes {
		patterns[i] = p + "*"
	}
	return Condition{"StringLike": {"s3:prefix": patterns}}
}
