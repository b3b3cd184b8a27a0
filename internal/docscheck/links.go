package docscheck

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// RepositoryURL is this repository on GitHub: a link to a file in its main
// branch is checked like a relative link. Messages that leave the
// repository (alarm descriptions, CLI output, the pull request template)
// link the documentation this way.
const RepositoryURL = naming.RepositoryURL

// Problem is one thing wrong on a page.
type Problem struct {
	Path    string
	Line    int
	Message string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Message) }

// Repo reads the Markdown files of one repository checkout.
type Repo struct {
	// Root is the repository's root directory.
	Root  string
	pages map[string]*Page
}

// NewRepo reads the repository at root.
func NewRepo(root string) *Repo { return &Repo{Root: root, pages: map[string]*Page{}} }

// Page reads and parses the Markdown file at path (relative to the root,
// forward slashes), once.
func (r *Repo) Page(rel string) (*Page, error) {
	if p, ok := r.pages[rel]; ok {
		return p, nil
	}
	src, err := os.ReadFile(filepath.Join(r.Root, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	p := Parse(rel, src)
	r.pages[rel] = p
	return p, nil
}

var (
	urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
	// lineAnchor is GitHub's anchor for a line or lines of a file: #L10-L20.
	lineAnchor = regexp.MustCompile(`^L[0-9]+(-L[0-9]+)?$`)
	// repositoryFile is a link to a file or directory on the main branch.
	repositoryFile = regexp.MustCompile(`^` + regexp.QuoteMeta(RepositoryURL) + `(?:blob|tree)/main/(.*)$`)
)

// CheckLinks reports every link on page that leads nowhere: a relative link
// (or a link to this repository's main branch) to a file that does not
// exist, or with an anchor that is not a heading of the Markdown file it
// names. Links to other sites are not followed.
func (r *Repo) CheckLinks(page *Page) []Problem {
	var problems []Problem
	for _, link := range page.Links {
		if message := r.checkLink(page, link.Target); message != "" {
			problems = append(problems, Problem{page.Path, link.Line, fmt.Sprintf("link %q %s", link.Target, message)})
		}
	}
	return problems
}

// checkLink says what is wrong with one link target, or "".
func (r *Repo) checkLink(page *Page, target string) string {
	if m := repositoryFile.FindStringSubmatch(target); m != nil {
		target = "/" + m[1]
	} else if urlScheme.MatchString(target) {
		return ""
	}
	rawPath, fragment, _ := strings.Cut(target, "#")
	rel := page.Path
	if rawPath != "" {
		unescaped, err := url.PathUnescape(rawPath)
		if err != nil {
			return fmt.Sprintf("is not a valid path (%v)", err)
		}
		if strings.HasPrefix(unescaped, "/") {
			rel = path.Clean(strings.TrimPrefix(unescaped, "/"))
		} else {
			rel = path.Join(path.Dir(page.Path), unescaped)
		}
		if rel == ".." || strings.HasPrefix(rel, "../") {
			return "leaves the repository"
		}
	}
	info, err := os.Stat(filepath.Join(r.Root, filepath.FromSlash(rel)))
	if err != nil {
		return fmt.Sprintf("leads to %s, which does not exist", rel)
	}
	switch {
	case fragment == "":
		return ""
	case info.IsDir():
		return fmt.Sprintf("has an anchor, but %s is a directory", rel)
	case strings.HasSuffix(rel, ".md"):
		target, err := r.Page(rel)
		if err != nil {
			return fmt.Sprintf("leads to %s, which cannot be read (%v)", rel, err)
		}
		if !target.Anchors[fragment] {
			return fmt.Sprintf("names the anchor #%s, which no heading of %s has", fragment, rel)
		}
	case !lineAnchor.MatchString(fragment):
		return fmt.Sprintf("names the anchor #%s, but %s is not Markdown: only line anchors (#L10) work there", fragment, rel)
	}
	return ""
}

// pointer is a reference to another part of the documentation by name
// rather than by link: "see README", "(README: Troubleshooting)",
// `see "The mover"`.
var pointer = regexp.MustCompile(`(?i)\breadme\b|\bsee\s+["“]`)

// UnlinkedPointers reports every line of prose on page that points at the
// README or at a section by name without linking it: a reader cannot follow
// such a pointer, and nothing notices when its target moves. Code and link
// text do not count.
func UnlinkedPointers(page *Page) []Problem {
	var problems []Problem
	for n := 1; n <= len(page.Lines); n++ {
		prose, ok := page.Prose[n]
		if !ok {
			continue
		}
		if m := pointer.FindString(prose); m != "" {
			problems = append(problems, Problem{page.Path, n, fmt.Sprintf("points at %q without a link: link the page or heading meant", strings.TrimSpace(m))})
		}
	}
	return problems
}
