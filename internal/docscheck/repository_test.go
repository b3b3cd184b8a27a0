package docscheck

import (
	"encoding/json"
	"flag"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

var update = flag.Bool("update", false, "rewrite the documentation's golden blocks from the files they quote")

// The pages whose links are checked. Pointers by name are checked on the
// documentation's own pages; .github/*.md is written for GitHub's forms and
// is checked for links only until its pointers are links.
var (
	linkedPages  = []string{"README.md", "docs/*.md", ".github/*.md"}
	pointerPages = []string{"README.md", "docs/*.md", ".github/*.md"}
)

func repository(t *testing.T) *Repo {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: the test must run from internal/docscheck", root)
	}
	return NewRepo(root)
}

// pages reads every page matching the patterns (relative to the root), and
// fails when a pattern matches nothing, so that a moved directory cannot
// turn a check into one that checks nothing.
func pages(t *testing.T, repo *Repo, patterns ...string) []*Page {
	t.Helper()
	var found []*Page
	for _, pattern := range patterns {
		matches, err := filepath.Glob(filepath.Join(repo.Root, filepath.FromSlash(pattern)))
		if err != nil {
			t.Fatal(err)
		}
		if len(matches) == 0 {
			t.Fatalf("no page matches %s", pattern)
		}
		for _, match := range matches {
			rel, err := filepath.Rel(repo.Root, match)
			if err != nil {
				t.Fatal(err)
			}
			page, err := repo.Page(filepath.ToSlash(rel))
			if err != nil {
				t.Fatal(err)
			}
			found = append(found, page)
		}
	}
	return found
}

func page(t *testing.T, repo *Repo, rel string) *Page {
	t.Helper()
	p, err := repo.Page(rel)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEveryLinkLeadsSomewhere(t *testing.T) {
	repo := repository(t)
	for _, p := range pages(t, repo, linkedPages...) {
		for _, problem := range repo.CheckLinks(p) {
			t.Error(problem)
		}
	}
}

func TestNoPointerWithoutALink(t *testing.T) {
	repo := repository(t)
	for _, p := range pages(t, repo, pointerPages...) {
		for _, problem := range UnlinkedPointers(p) {
			t.Error(problem)
		}
	}
}

// TestDatasetReferenceMatchesTheModel keeps docs/dataset-files.md true: each
// kind's table lists exactly the fields of its struct, read from the json
// tags (the loader reads the same tags), whatever their Go types.
func TestDatasetReferenceMatchesTheModel(t *testing.T) {
	reference := page(t, repository(t), "docs/dataset-files.md")
	for anchor, model := range map[string]reflect.Type{
		"push-dataset-fields": reflect.TypeFor[datasets.Push](),
		"pull-dataset-fields": reflect.TypeFor[datasets.Pull](),
	} {
		header, rows, ok := reference.Table(anchor)
		if !ok || len(header) == 0 || header[0] != "Field" {
			t.Errorf("%s: no table whose first column is Field under #%s", reference.Path, anchor)
			continue
		}
		var documented []string
		for _, row := range rows {
			field, ok := strings.CutPrefix(row[0], "`")
			field, ok2 := strings.CutSuffix(field, "`")
			if !ok || !ok2 || strings.ContainsAny(field, "` ") {
				t.Errorf("%s #%s: the row %q does not start with one field name in backquotes", reference.Path, anchor, row[0])
				continue
			}
			documented = append(documented, field)
		}
		fields := jsonFields(model)
		for _, f := range fields {
			if !slices.Contains(documented, f) {
				t.Errorf("%s #%s: the field %s of %s is missing from the table", reference.Path, anchor, f, model.Name())
			}
		}
		for _, f := range documented {
			if !slices.Contains(fields, f) {
				t.Errorf("%s #%s: the table lists %s, which %s does not have", reference.Path, anchor, f, model.Name())
			}
		}
	}
}

// jsonFields are the names of a struct's fields in its json tags, without
// those that are not serialized ("-").
func jsonFields(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}

// TestQuotedPlanSummariesAreReal keeps every plan comment the documentation
// shows as real identical to the golden file it was copied from: a block
// after <!-- golden: FILE --> is the whole file, one after
// <!-- excerpt: FILE --> a part of it. With -update, golden blocks are
// rewritten from their files.
func TestQuotedPlanSummariesAreReal(t *testing.T) {
	repo := repository(t)
	quoted := 0
	for _, p := range pages(t, repo, "README.md", "docs/*.md") {
		lines := slices.Clone(p.Lines)
		changed := false
		// From the last block up, so that rewriting one keeps the line
		// numbers of those above it.
		for i := len(p.Blocks) - 1; i >= 0; i-- {
			block := p.Blocks[i]
			kind, source, found := strings.Cut(block.Marker, ":")
			if !found || (kind != "golden" && kind != "excerpt") {
				continue
			}
			quoted++
			source = strings.TrimSpace(source)
			data, err := os.ReadFile(filepath.Join(repo.Root, filepath.FromSlash(source)))
			if err != nil {
				t.Errorf("%s:%d: %v", p.Path, block.Line, err)
				continue
			}
			want := strings.TrimRight(string(data), "\n")
			got := strings.TrimRight(block.Text, "\n")
			switch {
			case kind == "excerpt" && !strings.Contains(want, got):
				t.Errorf("%s:%d: this excerpt is no longer part of %s: copy it again", p.Path, block.Line, source)
			case kind == "golden" && got != want && *update:
				lines = slices.Replace(lines, block.Line, block.End-1, strings.Split(want, "\n")...)
				changed = true
			case kind == "golden" && got != want:
				t.Errorf("%s:%d: this block differs from %s: run go test ./internal/docscheck -update and review the diff", p.Path, block.Line, source)
			}
		}
		if changed {
			if err := os.WriteFile(filepath.Join(repo.Root, filepath.FromSlash(p.Path)), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if quoted == 0 {
		t.Error("no page quotes a golden file: the markers <!-- golden: FILE --> have gone")
	}
}

// datasetExample is the first line of a YAML block that is a whole dataset
// file: "# datasets/push/new_project.yaml".
var datasetExample = regexp.MustCompile(`^# (datasets/(push|pull)/[a-z0-9_]+\.yaml)\n`)

// TestDatasetExamplesAreValid loads each YAML block that names the dataset
// file it is, alone, with the real loader: an example an analyst copies must
// pass validate.
func TestDatasetExamplesAreValid(t *testing.T) {
	kinds := map[string]int{}
	for _, p := range pages(t, repository(t), "README.md", "docs/*.md") {
		for _, block := range p.Blocks {
			m := datasetExample.FindStringSubmatch(block.Text)
			if block.Lang != "yaml" || m == nil {
				continue
			}
			kinds[m[2]]++
			dir := t.TempDir()
			file := filepath.Join(dir, filepath.FromSlash(m[1]))
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(block.Text), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := datasets.Load(filepath.Join(dir, naming.DatasetsDir)); err != nil {
				t.Errorf("%s:%d: the example %s is not valid:\n%v", p.Path, block.Line, m[1], err)
			}
		}
	}
	if kinds["push"] == 0 || kinds["pull"] == 0 {
		t.Errorf("found %d push and %d pull dataset examples (YAML blocks starting # datasets/<kind>/<name>.yaml); want at least one of each", kinds["push"], kinds["pull"])
	}
}

// TestJSONExamplesParse: every JSON block is JSON, so a policy copied from
// the documentation can be saved.
func TestJSONExamplesParse(t *testing.T) {
	for _, p := range pages(t, repository(t), "README.md", "docs/*.md") {
		for _, block := range p.Blocks {
			if block.Lang == "json" && !json.Valid([]byte(block.Text)) {
				t.Errorf("%s:%d: this JSON block does not parse", p.Path, block.Line)
			}
		}
	}
}

// policy is an IAM policy document, as far as the recipient's grant goes.
type policy struct {
	Statement []struct {
		Sid       string
		Effect    string
		Principal struct{ AWS string }
		Action    []string
		Resource  any
	}
}

// TestRecipientPolicyMatchesTheMoverGrant keeps the recipient handout's
// bucket policy equal to what the mover role itself is allowed in the
// recipient's bucket, as synthesized in the stack's golden file: the same
// actions, on the same objects, for the mover role's ARN.
func TestRecipientPolicyMatchesTheMoverGrant(t *testing.T) {
	repo := repository(t)
	handout := page(t, repo, "docs/recipient-handout.md")
	var documented *policy
	var line int
	for _, block := range handout.Blocks {
		if block.Lang == "json" && strings.Contains(block.Text, `"Statement"`) {
			documented, line = &policy{}, block.Line
			if err := json.Unmarshal([]byte(block.Text), documented); err != nil {
				t.Fatalf("%s:%d: %v", handout.Path, line, err)
			}
			break
		}
	}
	if documented == nil {
		t.Fatalf("%s: no JSON bucket policy", handout.Path)
	}
	role := "arn:aws:iam::<account>:role" + naming.MoverRolePath + naming.MoverName("<name>")
	objects := "arn:aws:s3:::<bucket>/" + naming.ExportPrefix("<name>") + "*"
	var actions []string
	for i, s := range documented.Statement {
		if s.Effect != "Allow" || s.Principal.AWS != role || s.Resource != objects {
			t.Errorf("%s:%d: statement %d allows %s on %v; want Allow for %s on %s", handout.Path, line, i, s.Principal.AWS, s.Resource, role, objects)
		}
		actions = append(actions, s.Action...)
	}
	sort.Strings(actions)

	granted := moverActionsOnRecipient(t, repo)
	if !slices.Equal(actions, granted) {
		t.Errorf("%s:%d: the policy allows %v, but the mover role may do %v in the recipient's bucket (stacks/testdata/exports.tf.json): make them the same", handout.Path, line, actions, granted)
	}
}

// moverActionsOnRecipient reads from the stack's golden synthesis every
// action a mover role's policy allows on objects in a bucket other than the
// export bucket, the same for every push dataset.
func moverActionsOnRecipient(t *testing.T, repo *Repo) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo.Root, "stacks", "testdata", "exports.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stack struct {
		Resource struct {
			RolePolicies map[string]struct{ Policy string } `json:"aws_iam_role_policy"`
		}
	}
	if err := json.Unmarshal(data, &stack); err != nil {
		t.Fatal(err)
	}
	var granted []string
	movers := 0
	for id, rolePolicy := range stack.Resource.RolePolicies {
		parsed, ok := naming.ParseLogicalID(id)
		if !ok || parsed.Owner != naming.OwnerPush {
			continue
		}
		movers++
		var doc struct {
			Statement []struct {
				Action   []string
				Resource []string
			}
		}
		if err := json.Unmarshal([]byte(rolePolicy.Policy), &doc); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		var actions []string
		for _, s := range doc.Statement {
			for _, resource := range s.Resource {
				bucket, _, isObjects := strings.Cut(strings.TrimPrefix(resource, "arn:aws:s3:::"), "/")
				if strings.HasPrefix(resource, "arn:aws:s3:::") && isObjects && bucket != naming.ExportBucket {
					actions = append(actions, s.Action...)
				}
			}
		}
		sort.Strings(actions)
		if granted != nil && !slices.Equal(actions, granted) {
			t.Fatalf("the mover roles' grants in recipients' buckets differ: %v and %v", granted, actions)
		}
		granted = actions
	}
	if movers == 0 || len(granted) == 0 {
		t.Fatal("stacks/testdata/exports.tf.json has no mover role policy writing to a recipient's bucket")
	}
	return granted
}

var (
	// makeTarget is a target of the Makefile.
	makeTarget = regexp.MustCompile(`(?m)^([a-z][a-z0-9-]*):`)
	// makeCommand is `make TARGET` in a command.
	makeCommand = regexp.MustCompile(`(?:^|[\s;&|(])make\s+([a-z][a-z0-9-]*)`)
	// goPackage is the package path of a go run, test, build or vet
	// command: ./cmd/exports, ./functions/mover/...
	goPackage = regexp.MustCompile(`\bgo\s+(?:run|test|build|vet)\b[^|;&\n]*?\s(\./[^\s'"]*)`)
)

// TestCommandsNameWhatExists: every `make TARGET` shown is a target of the
// Makefile, and every package a go command names is a directory of the
// repository.
func TestCommandsNameWhatExists(t *testing.T) {
	repo := repository(t)
	makefile, err := os.ReadFile(filepath.Join(repo.Root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, m := range makeTarget.FindAllStringSubmatch(string(makefile), -1) {
		targets[m[1]] = true
	}
	commands := 0
	for _, p := range pages(t, repo, "README.md", "docs/*.md") {
		check := func(line int, code string) {
			for _, m := range makeCommand.FindAllStringSubmatch(code, -1) {
				commands++
				if !targets[m[1]] {
					t.Errorf("%s:%d: make %s: the Makefile has no such target", p.Path, line, m[1])
				}
			}
			for _, m := range goPackage.FindAllStringSubmatch(code, -1) {
				commands++
				dir := path.Clean(strings.TrimSuffix(m[1], "/..."))
				if info, err := os.Stat(filepath.Join(repo.Root, filepath.FromSlash(dir))); err != nil || !info.IsDir() {
					t.Errorf("%s:%d: %s: no such package directory", p.Path, line, m[1])
				}
			}
		}
		for line, spans := range p.Code {
			for _, span := range spans {
				check(line, span)
			}
		}
		for _, block := range p.Blocks {
			if block.Lang == "sh" || block.Lang == "text" || block.Lang == "" {
				check(block.Line, block.Text)
			}
		}
	}
	if commands == 0 {
		t.Error("found no make or go command in the documentation: the patterns no longer match")
	}
}
