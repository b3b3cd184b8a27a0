// Package synthtest synthesizes constructs in tests and reads the result:
// resources by type and logical id, and the IAM policy documents inside
// them, parsed so that tests compare whole documents, not substrings.
package synthtest

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/internal/jsiiruntime"
)

// Main runs a package's tests and then stops Node, so that test binaries
// leave no jsii runtime behind in $TMPDIR. Use it as TestMain.
func Main(m *testing.M) {
	code := m.Run()
	jsiiruntime.Close()
	os.Exit(code)
}

// Stack is a synthesized test stack.
type Stack struct {
	// JSON is the stack's Terraform JSON, for the cdktf Testing matchers.
	JSON *string
	tf   struct {
		Resource map[string]map[string]map[string]any `json:"resource"`
		Data     map[string]map[string]map[string]any `json:"data"`
	}
}

// Synth builds a stack with build and synthesizes it, running CDKTF's
// validations. (cdktf's Testing_SynthScope takes a JavaScript callback,
// which Go cannot pass; a throwaway stack does the same job.)
func Synth(t testing.TB, build func(scope constructs.Construct)) *Stack {
	t.Helper()
	app := cdktf.Testing_App(nil)
	stack := cdktf.NewTerraformStack(app, jsii.String("test"))
	provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{Region: jsii.String("eu-west-1")})
	build(stack)
	s := &Stack{JSON: cdktf.Testing_Synth(stack, jsii.Bool(true))}
	if err := json.Unmarshal([]byte(*s.JSON), &s.tf); err != nil {
		t.Fatalf("synthesized JSON: %v", err)
	}
	return s
}

// Resources are the resources of one type, by logical id.
func (s *Stack) Resources(resourceType string) map[string]map[string]any {
	return s.tf.Resource[resourceType]
}

// Resource is one resource; the test fails when it does not exist.
func (s *Stack) Resource(t testing.TB, resourceType, logicalID string) map[string]any {
	t.Helper()
	r, ok := s.tf.Resource[resourceType][logicalID]
	if !ok {
		t.Fatalf("no %s.%s; have %v", resourceType, logicalID, keys(s.tf.Resource[resourceType]))
	}
	return r
}

// AssertResource compares one whole resource with want, every attribute:
// one more or one less fails too. Numbers compare as JSON numbers.
func (s *Stack) AssertResource(t testing.TB, resourceType, logicalID string, want map[string]any) {
	t.Helper()
	got, _ := json.Marshal(s.Resource(t, resourceType, logicalID))
	wantJSON, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	json.Unmarshal(got, &g)
	json.Unmarshal(wantJSON, &w)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s.%s:\n got %s\nwant %s", resourceType, logicalID, got, wantJSON)
	}
}

// WholeBucketRule is an enabled lifecycle rule over every object of a
// bucket as the synthesized JSON writes it: its id, and each action (a
// nested block, so a list of one) with its settings.
func WholeBucketRule(id string, actions map[string]map[string]any) map[string]any {
	rule := map[string]any{"id": id, "status": "Enabled", "filter": []any{map[string]any{}}}
	for action, settings := range actions {
		rule[action] = []any{settings}
	}
	return rule
}

// DataSources are the data sources of one type, by logical id.
func (s *Stack) DataSources(dataType string) map[string]map[string]any {
	return s.tf.Data[dataType]
}

// Count is the number of resources of every type.
func (s *Stack) Count() int {
	n := 0
	for _, byID := range s.tf.Resource {
		n += len(byID)
	}
	return n
}

// HasResourceWithProperties asserts, with cdktf's own matcher, that a
// resource of resourceType has at least properties.
func (s *Stack) HasResourceWithProperties(t testing.TB, resourceType string, properties map[string]any) {
	t.Helper()
	if !*cdktf.Testing_ToHaveResourceWithProperties(s.JSON, jsii.String(resourceType), &properties) {
		t.Errorf("no %s with %v", resourceType, properties)
	}
}

// Policy parses the policy document in attribute of a resource.
func (s *Stack) Policy(t testing.TB, resourceType, logicalID, attribute string) iampolicy.Document {
	t.Helper()
	text, ok := s.Resource(t, resourceType, logicalID)[attribute].(string)
	if !ok {
		t.Fatalf("%s.%s has no %s string", resourceType, logicalID, attribute)
	}
	return ParsePolicy(t, text)
}

// ParsePolicy parses a policy document, refusing fields a Document lacks.
func ParsePolicy(t testing.TB, text string) iampolicy.Document {
	t.Helper()
	var doc iampolicy.Document
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("policy %s: %v", text, err)
	}
	return doc
}

// AssertLeastPrivilege fails on any Allow statement with a wildcard action
// or a wildcard resource: every grant must name its actions and resources.
func AssertLeastPrivilege(t testing.TB, name string, doc iampolicy.Document) {
	t.Helper()
	for _, st := range doc.Statement {
		if st.Effect != iampolicy.Allow {
			continue
		}
		for _, action := range st.Action {
			if strings.Contains(action, "*") {
				t.Errorf("%s: statement %q allows the wildcard action %q", name, st.Sid, action)
			}
		}
		for _, resource := range st.Resource {
			if resource == "*" || strings.HasPrefix(resource, "arn:aws:s3:::*") {
				t.Errorf("%s: statement %q allows on every resource (%q)", name, st.Sid, resource)
			}
		}
	}
}

func keys(m map[string]map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// AssertPolicy compares two whole documents.
func AssertPolicy(t testing.TB, name string, got, want iampolicy.Document) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", name, got.JSON(), want.JSON())
	}
}
