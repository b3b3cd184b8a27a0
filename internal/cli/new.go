package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	yamlnode "sigs.k8s.io/yaml/goyaml.v3"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/internal/branchcheck"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

const newUsage = `usage: go run ./cmd/exports new push|pull NAME

Writes $DATASETS_DIR/<kind>/NAME.yaml (DATASETS_DIR defaults to datasets), a
dataset file that needs only your values: each field has a comment that says
what to write, with an example, and the file names its JSON Schema so that
editors with a YAML language server complete and check it as you type.
Until you fill it in, validate reports each empty field and what to write.
It never overwrites a file.
`

// New writes the skeleton of a dataset file for an analyst to fill in.
func New(args []string, stdout, stderr io.Writer) int {
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "new: "+format+"\n", a...)
		return code
	}
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(stdout, newUsage)
		return 0
	}
	if len(args) != 2 {
		fmt.Fprint(stderr, newUsage)
		return fail(2, "give the kind and the name, e.g. new push new_project (got %q)", args)
	}
	kind, name := naming.Kind(args[0]), args[1]
	if kind != naming.KindPush && kind != naming.KindPull {
		return fail(2, "the kind is push or pull, not %q: push sends files to the recipient's bucket, pull gives the dataset a bucket that its readers read", args[0])
	}

	kindDir := filepath.Join(DatasetsDir(), string(kind))
	schemaRef, err := schemaReference(kindDir, kind)
	if err != nil {
		return fail(1, "%v", err)
	}
	content := Skeleton(kind, name, schemaRef)
	problems, err := nameProblems(kind, name, content)
	if err != nil {
		return fail(1, "%v", err)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(stderr, "new: %s: %s\n", p.Field, p.Message)
		}
		return 2
	}

	file := filepath.Join(kindDir, name+naming.FileExtension)
	if err := os.MkdirAll(kindDir, 0o755); err != nil {
		return fail(1, "%v", err)
	}
	if err := writeNew(file, content); errors.Is(err, fs.ErrExist) {
		return fail(1, "%s exists already, and new never overwrites a file: edit it, or choose another name", file)
	} else if err != nil {
		return fail(1, "%v", err)
	}
	if schemaRef == "" {
		fmt.Fprintf(stderr, "new: no %s above %s, so the file names no schema for editors: run new from a clone of the repository to have it\n", naming.SchemaFile(kind), kindDir)
	}
	fmt.Fprintf(stdout, `Wrote %s. Next:
  1. Fill in %s: the comment above each says what to write.
  2. Check it: go run ./cmd/exports validate
  3. Commit it on a branch called %s, push it and open a pull request
     (docs/adding-a-dataset.md says what happens then).
`, file, placeholderList(kind), branchcheck.Branch(kind, name))
	return 0
}

// writeNew creates file with content, and fails with fs.ErrExist when it
// exists already.
func writeNew(file string, content []byte) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(content); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// nameProblems are validate's own problems with the name and the file name,
// found by loading the skeleton alone from a scratch directory: the same
// rules, in the same words, as validate will apply.
func nameProblems(kind naming.Kind, name string, skeleton []byte) (datasets.Problems, error) {
	scratch, err := os.MkdirTemp("", "exports-new-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	stem := name
	if filepath.Base(name) != name || name == ".." {
		// A name with a path separator cannot follow the rules: load it
		// from a file of another name, and the name rule says why.
		stem = "dataset"
	}
	if err := os.Mkdir(filepath.Join(scratch, string(kind)), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(scratch, string(kind), stem+naming.FileExtension), skeleton, 0o644); err != nil {
		return nil, err
	}
	_, err = datasets.Load(scratch)
	var all datasets.Problems
	if err != nil && !errors.As(err, &all) {
		return nil, err
	}
	var problems datasets.Problems
	for _, p := range all {
		if p.Field == "name" || p.Field == datasets.FileField {
			problems = append(problems, p)
		}
	}
	return problems, nil
}

// schemaReference is the path of kind's JSON Schema relative to dir, found
// in the repository that holds dir ("../schema/push.schema.json" from
// datasets/push), or "" outside one. A relative path works on any clone and
// branch, offline, and always matches the model of the checkout.
func schemaReference(dir string, kind naming.Kind) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for root := abs; ; root = filepath.Dir(root) {
		schema := filepath.Join(root, filepath.FromSlash(naming.SchemaFile(kind)))
		if _, err := os.Stat(schema); err == nil {
			rel, err := filepath.Rel(abs, schema)
			return filepath.ToSlash(rel), err
		}
		if filepath.Dir(root) == root {
			return "", nil
		}
	}
}

// SchemaLine is the first line of a dataset file: the yaml-language-server
// modeline that names its schema.
func SchemaLine(schemaRef string) string {
	return "# yaml-language-server: $schema=" + schemaRef + "\n"
}

// commentWidth is where the skeleton's comments wrap.
const commentWidth = 78

// Skeleton is a dataset file for an analyst to fill in, made from the JSON
// Schema of its kind (so from the model): the name written, each other
// required field empty, each optional flag false, and above each field its
// help and an example; an optional field of another shape is shown by its
// example only. schemaRef, when not empty, is the modeline's path to the
// schema.
func Skeleton(kind naming.Kind, name, schemaRef string) []byte {
	schema := datasets.JSONSchema(kind)
	empty := placeholders(schema)
	var b bytes.Buffer
	if schemaRef != "" {
		b.WriteString(SchemaLine(schemaRef))
	}
	b.WriteString(comment(fmt.Sprintf("The %s dataset %s. Fill in each empty field below as the comment above it says, then check the file from the repository root with", kind, name)))
	b.WriteString("#   go run ./cmd/exports validate\n")
	b.WriteString("# Every field and its rules: docs/dataset-files.md\n")
	for _, p := range schema.Properties {
		b.WriteString("\n")
		b.WriteString(comment(p.Schema.Description))
		if p.Name == "name" {
			fmt.Fprintf(&b, "name: %s\n", name)
			continue
		}
		if len(p.Schema.Examples) > 0 {
			b.WriteString(commentedExample(fieldYAML(p.Name, p.Schema.Examples[0])))
		}
		switch {
		case slices.Contains(empty, p.Name):
			fmt.Fprintf(&b, "%s:\n", p.Name)
		case p.Schema.Type == "boolean":
			fmt.Fprintf(&b, "%s: false\n", p.Name)
		}
	}
	return b.Bytes()
}

// placeholders are the fields a skeleton leaves empty for the analyst to
// fill in, in the file's order: every required field but the name, which
// new writes.
func placeholders(schema *datasets.Schema) []string {
	var fields []string
	for _, p := range schema.Properties {
		// Of fields required as a group, the first stands for the group.
		inGroup := len(schema.AnyOf) > 0 && schema.AnyOf[0].IsRequired(p.Name)
		if p.Name != "name" && (schema.IsRequired(p.Name) || inGroup) {
			fields = append(fields, p.Name)
		}
	}
	return fields
}

// placeholderList names the fields the analyst fills in: "bucket, users and
// paperwork".
func placeholderList(kind naming.Kind) string {
	names := placeholders(datasets.JSONSchema(kind))
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// fieldYAML is "field: value" as a file writes it, in block style.
func fieldYAML(field string, value any) string {
	var node yamlnode.Node
	if err := node.Encode(map[string]any{field: value}); err != nil {
		// The examples are JSON values: texts, flags, lists and mappings.
		panic(err)
	}
	var out bytes.Buffer
	enc := yamlnode.NewEncoder(&out)
	enc.SetIndent(2)
	if err := errors.Join(enc.Encode(&node), enc.Close()); err != nil {
		panic(err)
	}
	return out.String()
}

// comment makes text a YAML comment, wrapped at commentWidth.
func comment(text string) string {
	var b strings.Builder
	line := "#"
	for _, word := range strings.Fields(text) {
		if len(line)+1+len(word) > commentWidth && line != "#" {
			b.WriteString(line + "\n")
			line = "#"
		}
		line += " " + word
	}
	return b.String() + line + "\n"
}

// commentedExample is text, a few lines of YAML, as an indented comment,
// each line as it is.
func commentedExample(text string) string {
	var b strings.Builder
	b.WriteString("# For example:\n")
	for line := range strings.Lines(text) {
		b.WriteString("#   " + line)
	}
	return b.String()
}
