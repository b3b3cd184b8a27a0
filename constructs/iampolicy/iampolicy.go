// Package iampolicy writes IAM policy documents (identity, trust and bucket
// policies) as compact JSON strings with a fixed field order, so that the
// synthesized Terraform is byte-for-byte reproducible and reads like the
// policies AWS shows. Values may hold CDKTF tokens (an ARN known only at
// apply time): Terraform fills them in inside the string.
package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
// lists, even of one, so that a reviewer sees the same shape everywhere
// (but see SingleAsString).
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
	// SingleAsString writes a Principal or Resource list of exactly one
	// value as that value alone, the shape AWS's own examples give a grant
	// to a service. AWS reads both shapes alike; moto (the emulator every
	// end-to-end test runs on) recognises S3's server access log delivery
	// grant, without which it refuses PutBucketLogging, only in this one.
	// Set it on that grant only.
	SingleAsString bool `json:"-"`
}

// MarshalJSON writes the statement, lists as lists unless SingleAsString.
func (s Statement) MarshalJSON() ([]byte, error) {
	// listed has the fields of Statement without this method.
	type listed Statement
	if !s.SingleAsString {
		return marshal(listed(s))
	}
	var principal map[string]any
	if s.Principal != nil {
		principal = map[string]any{}
		for kind, principals := range s.Principal {
			principal[kind] = singleAsString(principals)
		}
	}
	return marshal(struct {
		Sid       string         `json:"Sid,omitempty"`
		Effect    string         `json:"Effect"`
		Principal map[string]any `json:"Principal,omitempty"`
		Action    []string       `json:"Action"`
		Resource  any            `json:"Resource,omitempty"`
		Condition Condition      `json:"Condition,omitempty"`
	}{s.Sid, s.Effect, principal, s.Action, singleAsString(s.Resource), s.Condition})
}

// UnmarshalJSON reads a statement in either shape MarshalJSON writes: each
// Principal value and Resource as a list, or as a single string, which sets
// SingleAsString so that the statement is written back as it was read. It
// refuses any field a Statement lacks.
func (s *Statement) UnmarshalJSON(data []byte) error {
	var read struct {
		Sid       string                     `json:"Sid"`
		Effect    string                     `json:"Effect"`
		Principal map[string]json.RawMessage `json:"Principal"`
		Action    []string                   `json:"Action"`
		Resource  json.RawMessage            `json:"Resource"`
		Condition Condition                  `json:"Condition"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&read); err != nil {
		return err
	}
	*s = Statement{Sid: read.Sid, Effect: read.Effect, Action: read.Action, Condition: read.Condition}
	if read.Principal != nil {
		s.Principal = map[string][]string{}
		for kind, raw := range read.Principal {
			values, err := s.readValues(raw)
			if err != nil {
				return fmt.Errorf("principal %s: %w", kind, err)
			}
			s.Principal[kind] = values
		}
	}
	if len(read.Resource) > 0 && string(read.Resource) != "null" {
		values, err := s.readValues(read.Resource)
		if err != nil {
			return fmt.Errorf("resource: %w", err)
		}
		s.Resource = values
	}
	return nil
}

// readValues reads a list of strings, or a single string, which it notes
// in SingleAsString.
func (s *Statement) readValues(raw json.RawMessage) ([]string, error) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		s.SingleAsString = true
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, errors.New("neither a string nor a list of strings")
	}
	return many, nil
}

// singleAsString is the one value of a list of one, else the list (nil for
// none, so that an omitempty field stays out).
func singleAsString(values []string) any {
	switch len(values) {
	case 0:
		return nil
	case 1:
		return values[0]
	}
	return values
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
	data, err := marshal(d)
	if err != nil {
		// A Document holds only strings, lists and maps of strings: encoding
		// cannot fail.
		panic(err)
	}
	return string(data)
}

// marshal is compact JSON without HTML escaping: "&", "<" and ">" never need
// escaping in a policy; escaping them would only make plans harder to read.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
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
