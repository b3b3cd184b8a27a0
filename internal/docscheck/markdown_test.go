package docscheck

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSlugFollowsGitHub(t *testing.T) {
	for heading, want := range map[string]string{
		"Adding a dataset":                                    "adding-a-dataset",
		"A plan fails: a user's role does not exist":          "a-plan-fails-a-users-role-does-not-exist",
		"Checking the files: `go run ./cmd/exports validate`": "checking-the-files-go-run-cmdexports-validate",
		"Deploying (for data engineers)":                      "deploying-for-data-engineers",
		"1. Choose push or pull":                              "1-choose-push-or-pull",
		"The `mover_role_arns` output":                        "the-mover_role_arns-output",
		"[Linked](other.md) heading":                          "linked-heading",
		"Push or pull?":                                       "push-or-pull",
		"Étape  deux":                                         "étape--deux",
	} {
		if got := Slug(heading); got != want {
			t.Errorf("Slug(%q) = %q, want %q", heading, got, want)
		}
	}
}

func TestParseFindsAnchorsLinksBlocksAndProse(t *testing.T) {
	page := Parse("docs/page.md", markdown(
		"# Title",
		"See [the setup](setting-up.md#aws) and ![a figure](img/x.png \"title\").",
		"## Title",
		"`[not a link](nowhere.md)` but [a link](<spaced file.md>).",
		"<a id=\"custom\"></a>",
		"<!-- golden: internal/x.md -->",
		"```markdown",
		"## Not a heading",
		"[not a link](nowhere.md)",
		"```",
		"[ref]: ../README.md",
		"",
	))
	wantAnchors := map[string]bool{"title": true, "title-1": true, "custom": true}
	if !reflect.DeepEqual(page.Anchors, wantAnchors) {
		t.Errorf("anchors = %v, want %v", page.Anchors, wantAnchors)
	}
	wantLinks := []Link{{2, "setting-up.md#aws"}, {2, "img/x.png"}, {4, "spaced file.md"}, {11, "../README.md"}}
	if !reflect.DeepEqual(page.Links, wantLinks) {
		t.Errorf("links = %v, want %v", page.Links, wantLinks)
	}
	wantBlock := Block{Line: 7, End: 10, Lang: "markdown", Text: "## Not a heading\n[not a link](nowhere.md)\n", Marker: "golden: internal/x.md"}
	if len(page.Blocks) != 1 || page.Blocks[0] != wantBlock {
		t.Errorf("blocks = %+v, want [%+v]", page.Blocks, wantBlock)
	}
	if got := page.Prose[4]; strings.Contains(got, "link") {
		t.Errorf("prose of line 4 = %q: code spans and links should be gone", got)
	}
	if got := page.Code[4]; !reflect.DeepEqual(got, []string{"[not a link](nowhere.md)"}) {
		t.Errorf("code spans of line 4 = %q", got)
	}
}

func TestTableReadsTheFirstTableUnderAHeading(t *testing.T) {
	page := Parse("x.md", markdown(
		"## Fields",
		"Intro.",
		"",
		"| Field | Example |",
		"|---|:--:|",
		"| `name` | `a\\|b` |",
		"| `users` | `[x | y]` |",
		"",
		"| Other | table |",
		"## Next",
		"| not | this |",
	))
	header, rows, ok := page.Table("fields")
	want := [][]string{{"`name`", "`a|b`"}, {"`users`", "`[x | y]`"}}
	if !ok || !reflect.DeepEqual(header, []string{"Field", "Example"}) || !reflect.DeepEqual(rows, want) {
		t.Errorf("Table(fields) = %q, %q, %v; want [Field Example], %q, true", header, rows, ok, want)
	}
	if _, _, ok := page.Table("missing"); ok {
		t.Error("Table(missing) found a table under a heading that does not exist")
	}
}

// TestCheckLinksFindsBrokenLinks proves the link check can fail: each
// broken link in a small repository is reported, and only those.
func TestCheckLinksFindsBrokenLinks(t *testing.T) {
	root := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		file := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("docs/target.md", "# Target\n## A section: with `code`\n")
	write("main.go", "package main\n")
	write("docs/page.md", string(markdown(
		"# Page",
		"[ok](target.md) [ok](target.md#a-section-with-code) [ok](#page) [ok](../main.go#L1)",
		"[ok](/docs/target.md) [ok]("+RepositoryURL+"blob/main/docs/target.md#target) [ok](https://example.org/x#y)",
		"[missing file](nothere.md)",
		"[missing anchor](target.md#b-section)",
		"[missing local anchor](#nowhere)",
		"[anchor on code](../main.go#main)",
		"[outside](../../etc/passwd)",
		"[missing on main]("+RepositoryURL+"blob/main/docs/gone.md)",
	)))
	repo := NewRepo(root)
	page, err := repo.Page("docs/page.md")
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, p := range repo.CheckLinks(page) {
		got = append(got, p.Line)
		t.Log(p)
	}
	if want := []int{4, 5, 6, 7, 8, 9}; !reflect.DeepEqual(got, want) {
		t.Errorf("problems on lines %v, want %v", got, want)
	}
}

func TestUnlinkedPointersFindsPointersWithoutLinks(t *testing.T) {
	page := Parse("x.md", markdown(
		"Retire the bucket first (README: Troubleshooting).",
		"Re-drive it as shown (see \"The mover\").",
		"Read [the README](../README.md) and [Troubleshooting](troubleshooting.md).",
		"The command prints `README: Troubleshooting` today.",
		"```text",
		"see README",
		"```",
		"Nothing to see here.",
	))
	var got []int
	for _, p := range UnlinkedPointers(page) {
		got = append(got, p.Line)
	}
	if want := []int{1, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("pointers on lines %v, want %v", got, want)
	}
}

// markdown is a Markdown file of these lines.
func markdown(lines ...string) []byte { return []byte(strings.Join(lines, "\n")) }
