package datasets

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// TestSchemaFilesAreGenerated keeps the committed schema files what the
// model gives: a field added to Push or Pull, or its help changed, fails
// here until the files are written again.
func TestSchemaFilesAreGenerated(t *testing.T) {
	for _, kind := range naming.Kinds {
		file := filepath.Join("..", filepath.FromSlash(naming.SchemaFile(kind)))
		committed, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%v: run go run ./cmd/exports schema from the repository root", err)
		}
		if generated := JSONSchema(kind).JSON(); !bytes.Equal(committed, generated) {
			t.Errorf("%s differs from the schema the model gives (%d bytes, not %d): run go run ./cmd/exports schema from the repository root, and commit the result", naming.SchemaFile(kind), len(generated), len(committed))
		}
	}
}

// TestFieldHelpCoversTheModel: every field of either kind, the fields of
// list items included, has its help and an example, and fieldHelp holds
// nothing else.
func TestFieldHelpCoversTheModel(t *testing.T) {
	used := map[string]bool{}
	var walk func(kind Kind, s *Schema, path string)
	walk = func(kind Kind, s *Schema, path string) {
		for _, p := range s.Properties {
			fieldPath := p.Name
			if path != "" {
				fieldPath = path + "." + p.Name
			}
			key := string(kind) + "." + fieldPath
			if _, ok := fieldHelp[key]; !ok {
				key = fieldPath
			}
			used[key] = true
			help, ok := fieldHelp[key]
			switch {
			case !ok:
				t.Errorf("%s: the field %s has no entry in fieldHelp (datasets/schema.go): add its help and an example", kind, fieldPath)
			case help.Description == "" || help.Example == nil:
				t.Errorf("fieldHelp[%q] needs both a description and an example", key)
			}
			if p.Schema.Items != nil && p.Schema.Items.Type == "object" {
				walk(kind, p.Schema.Items, fieldPath)
			}
		}
	}
	for _, kind := range naming.Kinds {
		walk(kind, JSONSchema(kind), "")
	}
	for key := range fieldHelp {
		if !used[key] {
			t.Errorf("fieldHelp[%q] is the help of no field of either kind: remove it, or correct its key", key)
		}
	}
}

// compileSchema compiles the generated schema of kind, which checks it
// against the draft-07 meta-schema.
func compileSchema(t *testing.T, kind Kind) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSONSchema(kind).JSON()))
	if err != nil {
		t.Fatal(err)
	}
	compiler := jsonschema.NewCompiler()
	location := string(kind) + ".schema.json"
	if err := compiler.AddResource(location, doc); err != nil {
		t.Fatal(err)
	}
	schema, err := compiler.Compile(location)
	if err != nil {
		t.Fatalf("the %s schema is not a valid JSON Schema: %v", kind, err)
	}
	return schema
}

// schemaProblem is what the schema says of a YAML file, or nil.
func schemaProblem(t *testing.T, schema *jsonschema.Schema, content []byte) error {
	t.Helper()
	asJSON, err := yaml.YAMLToJSON(content)
	if err != nil {
		t.Fatalf("%v:\n%s", err, content)
	}
	instance, err := jsonschema.UnmarshalJSON(bytes.NewReader(asJSON))
	if err != nil {
		t.Fatal(err)
	}
	return schema.Validate(instance)
}

// exampleFile is a file of kind made of every field's example, optional
// fields too.
func exampleFile(t *testing.T, kind Kind) []byte {
	t.Helper()
	var lines []string
	for _, p := range JSONSchema(kind).Properties {
		if len(p.Schema.Examples) == 0 {
			t.Fatalf("%s: the field %s has no example in fieldHelp", kind, p.Name)
		}
		value, err := yaml.Marshal(map[string]any{p.Name: p.Schema.Examples[0]})
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(value))
	}
	return []byte(strings.Join(lines, ""))
}

// TestSchemaAcceptsWhatLoadAccepts: an editor never marks a file validate
// accepts. Checked on the shipped examples, every seed of the loader's fuzz
// corpus that loads as a push or a pull dataset, and a file of every
// field's example (which validate must accept: the help's examples are
// written into files by exports new).
func TestSchemaAcceptsWhatLoadAccepts(t *testing.T) {
	schemas := map[Kind]*jsonschema.Schema{}
	for _, kind := range naming.Kinds {
		schemas[kind] = compileSchema(t, kind)
	}
	type candidate struct {
		source  string
		kind    Kind
		stem    string // the file name without .yaml, which the name must equal
		content []byte
	}
	var candidates []candidate
	for _, kind := range naming.Kinds {
		candidates = append(candidates, candidate{"the examples of fieldHelp", kind, "new_project", exampleFile(t, kind)})
		files, err := filepath.Glob(filepath.Join("..", naming.ExamplesDir, string(kind), "*.yaml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no %s examples (%v)", kind, err)
		}
		for _, f := range files {
			content, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			candidates = append(candidates, candidate{f, kind, strings.TrimSuffix(filepath.Base(f), naming.FileExtension), content})
		}
	}
	seeds, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzLoad", "*"))
	if err != nil || len(seeds) == 0 {
		t.Fatalf("no fuzz corpus (%v)", err)
	}
	for _, seed := range seeds {
		content := fuzzSeed(t, seed)
		for _, kind := range naming.Kinds {
			candidates = append(candidates, candidate{seed, kind, "fuzzed", content})
		}
	}

	accepted := map[Kind]int{}
	for _, c := range candidates {
		dir := t.TempDir()
		writeDataset(t, dir, c.kind, c.stem+naming.FileExtension, string(c.content))
		if _, err := Load(dir); err != nil {
			if strings.HasPrefix(c.source, "the examples") {
				t.Errorf("validate refuses the %s file of every field's example:\n%v\n%s", c.kind, err, c.content)
			}
			continue
		}
		accepted[c.kind]++
		if err := schemaProblem(t, schemas[c.kind], c.content); err != nil {
			t.Errorf("%s, as a %s dataset: validate accepts it, but the schema does not:\n%v\n%s", c.source, c.kind, err, c.content)
		}
	}
	if accepted[KindPush] < 3 || accepted[KindPull] < 3 {
		t.Errorf("only %d push and %d pull files were accepted by Load: the check checks little", accepted[KindPush], accepted[KindPull])
	}
}

// fuzzSeed is the input of one seed file of the fuzz corpus.
func fuzzSeed(t *testing.T, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, value, _ := strings.Cut(string(data), "\n")
	value = strings.TrimSpace(value)
	literal, ok := strings.CutPrefix(value, "[]byte(")
	literal, ok2 := strings.CutSuffix(literal, ")")
	unquoted, err := strconv.Unquote(literal)
	if !ok || !ok2 || err != nil {
		t.Fatalf("%s: not a seed of one []byte value: %q", file, value)
	}
	return []byte(unquoted)
}

// TestSchemaRefusesWrongShapes: the schema catches, as the analyst types,
// the mistakes of shape the earlier tool's files were full of.
func TestSchemaRefusesWrongShapes(t *testing.T) {
	cases := []struct {
		kind    Kind
		changes []string
	}{
		{KindPush, []string{"target_bucket: landing", "-bucket"}},
		{KindPush, []string{"keep_files: [true]"}},
		{KindPush, []string{"keep_files: \"true\""}},
		{KindPush, []string{"-users"}},
		{KindPush, []string{"users: []"}},
		{KindPush, []string{"users: [alpha_user_jo, alpha_user_jo]"}},
		{KindPush, []string{"name: New-Project"}},
		{KindPush, []string{"name: " + strings.Repeat("a", naming.MaxPushNameLength+1)}},
		{KindPull, []string{"bucket: landing"}},
		{KindPull, []string{"allow_push: [True]"}},
		{KindPull, []string{"pull_arns: arn:aws:iam::754256621582:role/reader"}},
		{KindPull, []string{"paperwork: {link: https://example.justice.gov.uk/dpia}"}},
	}
	schemas := map[Kind]*jsonschema.Schema{}
	for _, kind := range naming.Kinds {
		schemas[kind] = compileSchema(t, kind)
	}
	for _, c := range cases {
		content := file(c.kind, c.changes...)
		if schemaProblem(t, schemas[c.kind], []byte(content)) == nil {
			t.Errorf("the %s schema accepts\n%s", c.kind, content)
		}
	}
	// The base files themselves pass, so each refusal is the change's.
	for _, kind := range naming.Kinds {
		if err := schemaProblem(t, schemas[kind], []byte(file(kind))); err != nil {
			t.Errorf("the %s schema refuses the base file: %v", kind, err)
		}
	}
}

// TestSchemaShapes pins what the generator makes of each Go type.
func TestSchemaShapes(t *testing.T) {
	pull := JSONSchema(KindPull)
	if got := pull.Property("paperwork"); len(got.AnyOf) != 2 || got.AnyOf[0].Type != "string" || got.AnyOf[1].Type != "array" {
		t.Errorf("paperwork (References) is %s; want one text or a list of texts", marshalForTest(t, got))
	}
	if got := pull.Property("allow_push"); got.Type != "boolean" || pull.IsRequired("allow_push") {
		t.Errorf("allow_push is %s, required %v; want an optional boolean", marshalForTest(t, got), pull.IsRequired("allow_push"))
	}
	if !slices.Equal(pull.Required, []string{"name", "users", "paperwork"}) {
		t.Errorf("pull requires %v", pull.Required)
	}
	if name := pull.Property("name"); name.MaxLength != naming.MaxPullNameLength || name.Pattern != namePattern.String() {
		t.Errorf("pull name is %s", marshalForTest(t, name))
	}

	// A list of mappings is a list of objects with the item's fields.
	type item struct {
		TenantID string `json:"tenant_id"`
		Label    string `json:"label,omitempty"`
	}
	got := valueSchema(KindPull, reflect.TypeFor[[]item](), "readers", false)
	items := got.Items
	if got.Type != "array" || items == nil || items.Type != "object" || *items.AdditionalProperties ||
		len(items.Properties) != 2 || items.Properties[0].Name != "tenant_id" || items.Properties[1].Name != "label" ||
		items.Properties[0].Schema.Type != "string" || !slices.Equal(items.Required, []string{"tenant_id"}) {
		t.Errorf("a []struct field is %s; want an array of objects with the struct's fields", marshalForTest(t, got))
	}
}

func marshalForTest(t *testing.T, s *Schema) string {
	t.Helper()
	data, err := marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
