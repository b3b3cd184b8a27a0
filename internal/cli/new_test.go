package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/internal/branchcheck"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// runNew runs new with args.
func runNew(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCommand(t, append([]string{"new"}, args...)...)
}

// repository makes a scratch clone's layout: a datasets directory with the
// schema files beside push/ and pull/, as in the repository, and sets
// DATASETS_DIR to it.
func repository(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), naming.DatasetsDir)
	for _, kind := range naming.Kinds {
		file := filepath.Join(filepath.Dir(dir), filepath.FromSlash(naming.SchemaFile(kind)))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, datasets.JSONSchema(kind).JSON(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(EnvDatasetsDir, dir)
	return dir
}

// fill writes values into a skeleton's empty fields.
func fill(skeleton string, values map[string]string) string {
	lines := strings.Split(skeleton, "\n")
	for i, line := range lines {
		if value, ok := values[strings.TrimSuffix(line, ":")]; ok && strings.HasSuffix(line, ":") {
			lines[i] = line + value
		}
	}
	return strings.Join(lines, "\n")
}

// fillFromComments does what an analyst copying the examples does: each
// empty field becomes the example in the comment above it.
func fillFromComments(skeleton string) string {
	var out, example []string
	for line := range strings.Lines(skeleton) {
		switch {
		case line == "# For example:\n":
			example = []string{}
		case example != nil && strings.HasPrefix(line, "#   "):
			example = append(example, strings.TrimPrefix(line, "#   "))
		case example != nil && strings.HasSuffix(line, ":\n"):
			out, example = append(out, example...), nil
		default:
			out, example = append(out, line), nil
		}
	}
	return strings.Join(out, "")
}

// TestNewSkeleton: the file new writes fails validate on its empty fields
// alone, each problem saying what to write, and validates once they are
// filled in, by hand or from the examples its comments give.
func TestNewSkeleton(t *testing.T) {
	filled := map[naming.Kind]map[string]string{
		naming.KindPush: {"bucket": " landing-bucket", "bucket_account": ` "123456789012"`, "users": "\n  - alpha_user_jo", "paperwork": " DPIA 17056"},
		naming.KindPull: {"pull_arns": " [arn:aws:iam::111122223333:role/reader]", "users": " [alpha_user_jo]", "paperwork": " https://example.justice.gov.uk/dpia"},
	}
	for _, kind := range naming.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			dir := repository(t)
			code, stdout, stderr := runNew(t, string(kind), "new_project")
			file := filepath.Join(dir, string(kind), "new_project.yaml")
			branch := branchcheck.Branch(kind, "new_project")
			if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "Wrote "+file+". Next:\n") ||
				!strings.Contains(stdout, "go run ./cmd/exports validate\n") || !strings.Contains(stdout, "a branch called "+branch+",") {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
			}
			// The branch new names is the one branch-check expects.
			if result := branchcheck.Check(branch, []string{naming.DatasetFile(naming.DatasetsDir, kind, "new_project")}); !result.OK() {
				t.Errorf("branch-check refuses %s: %v", branch, result.Errors)
			}
			content, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			skeleton := string(content)
			if want := SchemaLine("../schema/" + string(kind) + ".schema.json"); !strings.HasPrefix(skeleton, want) {
				t.Errorf("the file does not start with %q:\n%s", want, skeleton)
			}

			// Unfilled: one problem per empty field, none elsewhere.
			code, stdout, _ = runValidate(t)
			var fields []string
			lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			for _, line := range lines[:len(lines)-1] { // the last is the count
				field, message, _ := strings.Cut(strings.TrimPrefix(line, file+": "), ": ")
				fields = append(fields, field)
				if !strings.HasPrefix(message, "is empty: ") || !strings.Contains(message, "write") && !strings.Contains(message, "e.g. "+field+": ") {
					t.Errorf("%s: %q does not say what to write", field, message)
				}
			}
			if code != 1 || !slices.Equal(fields, placeholders(datasets.JSONSchema(kind))) {
				t.Errorf("validate: exit %d, problems with %q, want one with each of %q:\n%s", code, fields, placeholders(datasets.JSONSchema(kind)), stdout)
			}

			for how, content := range map[string]string{"by hand": fill(skeleton, filled[kind]), "from the comments": fillFromComments(skeleton)} {
				if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
				if code, stdout, _ := runValidate(t); code != 0 {
					t.Errorf("filled %s, validate exits %d:\n%s\n%s", how, code, stdout, content)
				}
			}
		})
	}
}

// TestNewRefuses: a name validate would refuse, in validate's words; a file
// that exists; a kind that is neither push nor pull. Nothing is written.
func TestNewRefuses(t *testing.T) {
	dir := repository(t)
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"push", "New-Project"}, 2, "new: name: may hold only lower-case letters, digits and underscores, and must start with a letter and end with a letter or digit: write name: new_project (and name the file new_project.yaml)\n"},
		{[]string{"push", "../new_project"}, 2, "new: name: may hold only lower-case letters, digits and underscores, and must start with a letter and end with a letter or digit: write name: new_project (and name the file new_project.yaml)\n"},
		{[]string{"pull", "new_project.yaml"}, 2, "new: name: ends in .yaml, but the name is the file name without it: write name: new_project\n"},
		{[]string{"pull", "new__project"}, 2, "new: name: has two underscores in a row, which become -- in AWS names: write name: new_project\n"},
		{[]string{"pull", strings.Repeat("a", naming.MaxPullNameLength+1)}, 2, "new: name: is 58 characters long; a pull dataset name may have at most 57 so that its bucket mojap-<name> fits AWS's 63-character limit on bucket names: shorten it\n"},
		{[]string{"both", "new_project"}, 2, `new: the kind is push or pull, not "both": push sends files to the recipient's bucket, pull gives the dataset a bucket that its readers read` + "\n"},
		{[]string{"push"}, 2, `new: give the kind and the name, e.g. new push new_project (got ["push"])` + "\n"},
	} {
		code, stdout, stderr := runNew(t, c.args...)
		if code != c.code || stdout != "" || !strings.HasSuffix(stderr, c.stderr) {
			t.Errorf("new %q: exit %d, stdout %q, stderr %q; want %d and %q", c.args, code, stdout, stderr, c.code, c.stderr)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "push")); len(entries) > 0 {
		t.Errorf("refusals wrote %v", entries)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "pull")); len(entries) > 0 {
		t.Errorf("refusals wrote %v", entries)
	}

	// The same words as validate's, for a file so named.
	if err := os.MkdirAll(filepath.Join(dir, "push"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "push", "new__project.yaml"), Skeleton(naming.KindPush, "new__project", ""), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stdout, _ := runValidate(t)
	_, _, stderr := runNew(t, "push", "new__project")
	if message := strings.TrimPrefix(stderr, "new: "); !strings.Contains(stdout, ": "+message) {
		t.Errorf("new says %q, validate says:\n%s", stderr, stdout)
	}
	if err := os.Remove(filepath.Join(dir, "push", "new__project.yaml")); err != nil {
		t.Fatal(err)
	}

	// An existing file is left as it is.
	if code, _, _ := runNew(t, "push", "new_project"); code != 0 {
		t.Fatal("first new failed")
	}
	file := filepath.Join(dir, "push", "new_project.yaml")
	if err := os.WriteFile(file, []byte("edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runNew(t, "push", "new_project")
	if content, _ := os.ReadFile(file); code != 1 || string(content) != "edited\n" ||
		stderr != "new: "+file+" exists already, and new never overwrites a file: edit it, or choose another name\n" {
		t.Errorf("existing file: exit %d, stderr %q, content %q", code, stderr, content)
	}
}

// TestNewOutsideTheRepository: with no schema above the directory, the file
// has no schema line, and new says why.
func TestNewOutsideTheRepository(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvDatasetsDir, dir)
	code, _, stderr := runNew(t, "pull", "new_project")
	content, err := os.ReadFile(filepath.Join(dir, "pull", "new_project.yaml"))
	if err != nil || code != 0 || !strings.Contains(stderr, "names no schema") || strings.Contains(string(content), "yaml-language-server") {
		t.Errorf("exit %d, stderr %q, %v:\n%s", code, stderr, err, content)
	}
}

// TestSchemaReferences: the schema path a file is written with works from
// both dataset directories of the repository, and every example file names
// its schema by it, so that editors check the examples too.
func TestSchemaReferences(t *testing.T) {
	root := filepath.Join("..", "..")
	for dir, want := range map[string]string{
		naming.DatasetsDir: "../schema/%s.schema.json",
		naming.ExamplesDir: "../../../datasets/schema/%s.schema.json",
	} {
		for _, kind := range naming.Kinds {
			kindDir := filepath.Join(root, filepath.FromSlash(dir), string(kind))
			ref, err := schemaReference(kindDir, kind)
			if err != nil || ref != strings.ReplaceAll(want, "%s", string(kind)) {
				t.Errorf("%s/%s: %q, %v", dir, kind, ref, err)
				continue
			}
			if _, err := os.Stat(filepath.Join(kindDir, filepath.FromSlash(ref))); err != nil {
				t.Errorf("%s/%s: %s does not lead to the schema: %v", dir, kind, ref, err)
			}
			files, _ := filepath.Glob(filepath.Join(kindDir, "*"+naming.FileExtension))
			for _, f := range files {
				content, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(string(content), SchemaLine(ref)) {
					t.Errorf("%s does not start with %q", f, SchemaLine(ref))
				}
			}
		}
	}
}

func TestSchemaCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	if code, _, stderr := runCommand(t, "schema"); code != 2 || !strings.Contains(stderr, "run it from the repository root") {
		t.Errorf("outside the repository: exit %d, %q", code, stderr)
	}
	if err := os.MkdirAll(naming.DatasetsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(naming.DatasetsDir, "model.go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"wrote", "is up to date"} {
		if code, stdout, _ := runCommand(t, "schema"); code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("exit %d, %q; want %q", code, stdout, want)
		}
	}
	for _, kind := range naming.Kinds {
		written, err := os.ReadFile(filepath.FromSlash(naming.SchemaFile(kind)))
		if err != nil || !bytes.Equal(written, datasets.JSONSchema(kind).JSON()) {
			t.Errorf("%s: %v", naming.SchemaFile(kind), err)
		}
	}
}
