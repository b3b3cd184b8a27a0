// Command policydocs writes every IAM policy document of a synthesized
// Terraform JSON stack to a file of its own, pretty-printed, so that linters
// that read policy files (parliament, in the pull-request workflow) can check
// each one:
//
//	go run ./devtools/policydocs -out build/policies cdktf.out/stacks/exports/cdk.tf.json
//
// A policy document is a string attribute of a resource, at any depth, named
// policy or ending in _policy (policy, assume_role_policy, ...) that holds a
// JSON object with a Statement. Each goes to
// <out>/<resource type>.<resource name>.<attribute path>.json, for example
// aws_iam_role.push-x-role.assume_role_policy.json.
//
// Terraform interpolations inside a document (${aws_sqs_queue.q.arn}) are
// only known at apply time, so each is replaced by a value of the right
// shape: the ARN in its real format, with the referenced resource's name when
// the stack states it, the provider's region and the placeholder account
// 123456789012. An interpolation it cannot shape is an error, never a silent
// skip: a policy that no linter reads is the gap this tool exists to close.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

const usage = `usage: policydocs -out DIR STACK.tf.json

Writes each IAM policy document in the synthesized Terraform JSON to
DIR/<resource type>.<resource name>.<attribute path>.json. DIR must not exist
or be empty.
`

// Placeholders for what only apply knows.
const (
	placeholderAccount = "123456789012"
	// placeholderRegion is used when the stack's aws provider does not
	// state its region literally.
	placeholderRegion = "eu-west-1"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("policydocs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	out := fs.String("out", "", "directory for the policy documents")
	if fs.Parse(args) != nil {
		return 2
	}
	if *out == "" || fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	stackPath := fs.Arg(0)
	stackJSON, err := os.ReadFile(stackPath)
	if err != nil {
		fmt.Fprintf(stderr, "policydocs: %v\n", err)
		return 1
	}
	docs, err := extract(stackJSON)
	if err != nil {
		fmt.Fprintf(stderr, "policydocs: %s: %v\n", stackPath, err)
		return 1
	}
	if err := write(*out, docs); err != nil {
		fmt.Fprintf(stderr, "policydocs: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %d policy documents from %s to %s\n", len(docs), stackPath, *out)
	return 0
}

// document is one policy document, ready to write.
type document struct {
	// File is the document's file name: <type>.<name>.<attribute path>.json.
	File string
	// JSON is the pretty-printed document, placeholders in place.
	JSON []byte
}

// stack is the part of the synthesized Terraform JSON that policydocs reads.
type stack struct {
	Provider map[string][]map[string]any          `json:"provider"`
	Resource map[string]map[string]map[string]any `json:"resource"`
}

// identifier is what Terraform allows as a resource type or name, and so
// what may safely become part of a file name.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// extract finds every policy document in the stack, sorted by file name.
func extract(stackJSON []byte) ([]document, error) {
	var s stack
	if err := json.Unmarshal(stackJSON, &s); err != nil {
		return nil, fmt.Errorf("not Terraform JSON: %w", err)
	}
	shaper := placeholders{stack: s, region: providerRegion(s)}
	var docs []document
	for _, typ := range slices.Sorted(maps.Keys(s.Resource)) {
		for _, name := range slices.Sorted(maps.Keys(s.Resource[typ])) {
			if !identifier.MatchString(typ) || !identifier.MatchString(name) {
				return nil, fmt.Errorf("resource %q.%q: not a Terraform identifier", typ, name)
			}
			address := typ + "." + name
			found, err := findDocuments(s.Resource[typ][name], nil, shaper)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", address, err)
			}
			for _, d := range found {
				d.File = address + "." + d.File + ".json"
				docs = append(docs, d)
			}
		}
	}
	return docs, nil
}

// findDocuments walks one resource's configuration and returns its policy
// documents, each with File set to its attribute path.
func findDocuments(value any, path []string, shaper placeholders) ([]document, error) {
	switch v := value.(type) {
	case map[string]any:
		var docs []document
		for _, key := range slices.Sorted(maps.Keys(v)) {
			if key == "//" { // CDKTF's metadata
				continue
			}
			found, err := findDocuments(v[key], append(slices.Clone(path), key), shaper)
			if err != nil {
				return nil, err
			}
			docs = append(docs, found...)
		}
		return docs, nil
	case []any:
		var docs []document
		for i, item := range v {
			found, err := findDocuments(item, append(slices.Clone(path), strconv.Itoa(i)), shaper)
			if err != nil {
				return nil, err
			}
			docs = append(docs, found...)
		}
		return docs, nil
	case string:
		if len(path) == 0 || !isPolicyAttribute(path[len(path)-1]) {
			return nil, nil
		}
		attribute := strings.Join(path, ".")
		doc, ok, err := policyDocument(v, shaper)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", attribute, err)
		}
		if !ok {
			return nil, nil
		}
		return []document{{File: attribute, JSON: doc}}, nil
	}
	return nil, nil
}

func isPolicyAttribute(name string) bool {
	return name == "policy" || strings.HasSuffix(name, "_policy")
}

// policyDocument returns the pretty-printed policy document in value, with
// placeholders for its interpolations. ok is false for a value that is no
// policy document: a plain setting such as an ELB's ssl_policy, or a JSON
// object without a Statement (an SQS redrive_policy).
func policyDocument(value string, shaper placeholders) (doc []byte, ok bool, err error) {
	if !strings.HasPrefix(strings.TrimSpace(value), "{") {
		if strings.Contains(value, "${") {
			return nil, false, fmt.Errorf("%q is computed at apply time, so no linter can read it; write the policy document into the stack as literal JSON", value)
		}
		return nil, false, nil
	}
	text, err := shaper.substitute(value)
	if err != nil {
		return nil, false, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &top); err != nil {
		return nil, false, fmt.Errorf("not a JSON object: %w", err)
	}
	if _, isPolicy := top["Statement"]; !isPolicy {
		return nil, false, nil
	}
	var pretty bytes.Buffer
	// Indent, unlike a round trip through a map, keeps the document's own
	// order of keys and statements.
	if err := json.Indent(&pretty, []byte(text), "", "  "); err != nil {
		return nil, false, err
	}
	pretty.WriteByte('\n')
	return pretty.Bytes(), true, nil
}

// interpolation matches a Terraform interpolation, or its escape $${...},
// which Terraform turns into a literal ${...} (an IAM policy variable such
// as ${aws:username}).
var interpolation = regexp.MustCompile(`\$?\$\{[^}]*\}`)

// placeholders shapes the values of interpolations that a policy document
// may hold.
type placeholders struct {
	stack  stack
	region string
}

// substitute replaces every interpolation in text by its placeholder and
// every escape $${...} by the literal ${...}.
func (p placeholders) substitute(text string) (string, error) {
	var errs []error
	out := interpolation.ReplaceAllStringFunc(text, func(match string) string {
		if strings.HasPrefix(match, "$$") {
			return match[1:]
		}
		value, err := p.value(match[2 : len(match)-1])
		if err != nil {
			errs = append(errs, err)
		}
		return value
	})
	return out, errors.Join(errs...)
}

// shape is how to write the ARN of one type of resource.
type shape struct {
	// nameAttribute holds the resource's AWS name in its configuration.
	nameAttribute string
	arn           func(p placeholders, name string, config map[string]any) string
}

// shapes are the resource types a policy document of this stack refers to.
// A new reference needs its type here: the error says so.
var shapes = map[string]shape{
	"aws_s3_bucket": {"bucket", func(_ placeholders, name string, _ map[string]any) string {
		return "arn:aws:s3:::" + name
	}},
	"aws_iam_role": {"name", func(_ placeholders, name string, config map[string]any) string {
		path := literal(config, "path")
		if path == "" {
			path = "/"
		}
		return "arn:aws:iam::" + placeholderAccount + ":role" + path + name
	}},
	"aws_sqs_queue": {"name", func(p placeholders, name string, _ map[string]any) string {
		return "arn:aws:sqs:" + p.region + ":" + placeholderAccount + ":" + name
	}},
	"aws_cloudwatch_log_group": {"name", func(p placeholders, name string, _ map[string]any) string {
		return "arn:aws:logs:" + p.region + ":" + placeholderAccount + ":log-group:" + name
	}},
	"aws_lambda_function": {"function_name", func(p placeholders, name string, _ map[string]any) string {
		return "arn:aws:lambda:" + p.region + ":" + placeholderAccount + ":function:" + name
	}},
}

// value is the placeholder for one interpolated expression: a reference
// TYPE.NAME.ATTRIBUTE to a resource's ARN, name or id, or
// data.aws_caller_identity.NAME.account_id.
func (p placeholders) value(expression string) (string, error) {
	parts := strings.Split(expression, ".")
	if len(parts) == 4 && parts[0] == "data" && parts[1] == "aws_caller_identity" && parts[3] == "account_id" {
		return placeholderAccount, nil
	}
	if len(parts) != 3 {
		return "", fmt.Errorf("${%s}: policydocs shapes only references TYPE.NAME.ATTRIBUTE and data.aws_caller_identity.NAME.account_id; extend placeholders.value in devtools/policydocs", expression)
	}
	typ, name, attribute := parts[0], parts[1], parts[2]
	s, known := shapes[typ]
	if !known {
		return "", fmt.Errorf("${%s}: policydocs does not know the ARN format of %s; add it to shapes in devtools/policydocs", expression, typ)
	}
	config := p.stack.Resource[typ][name]
	awsName := literal(config, s.nameAttribute)
	if awsName == "" {
		awsName = name // computed or unset: the logical name keeps the shape
	}
	switch attribute {
	case "arn":
		return s.arn(p, awsName, config), nil
	case "id", s.nameAttribute:
		return awsName, nil
	}
	return "", fmt.Errorf("${%s}: policydocs shapes only the arn, id and %s of %s; extend shapes in devtools/policydocs", expression, s.nameAttribute, typ)
}

// literal is the string attribute of config, or "" when it is unset or
// computed.
func literal(config map[string]any, attribute string) string {
	value, _ := config[attribute].(string)
	if strings.Contains(value, "${") {
		return ""
	}
	return value
}

// providerRegion is the default aws provider's literal region, or the
// placeholder.
func providerRegion(s stack) string {
	for _, provider := range s.Provider["aws"] {
		if _, aliased := provider["alias"]; aliased {
			continue
		}
		if region := literal(provider, "region"); region != "" {
			return region
		}
	}
	return placeholderRegion
}

// write puts the documents in dir, which must not exist or be empty: a
// document left over from an earlier run would be linted as if the stack
// still held it.
func write(dir string, docs []document) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	case len(entries) > 0:
		return fmt.Errorf("%s is not empty: remove it, or choose another -out, so that no document of an earlier run is linted again", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, d := range docs {
		if err := os.WriteFile(filepath.Join(dir, d.File), d.JSON, 0o644); err != nil {
			return err
		}
	}
	return nil
}
