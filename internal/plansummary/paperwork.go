package plansummary

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// PaperworkLookup finds each dataset's paperwork in its dataset file
// (naming.DatasetFile under Dir). With an empty Dir nothing is looked up.
type PaperworkLookup struct {
	Dir string
}

// PaperworkGap says why a dataset shows no paperwork.
type PaperworkGap struct {
	Reason PaperworkReason
	// Path is the dataset file looked for; Err what reading it failed with.
	Path, Err string
}

// PaperworkReason is why no paperwork was found.
type PaperworkReason int

// Reasons for a PaperworkGap.
const (
	// NotLookedUp: no datasets directory was given.
	NotLookedUp PaperworkReason = iota + 1
	// FileDeleted: the plan removes the dataset, and the change deletes its
	// file with it.
	FileDeleted
	// NoFile: no dataset file at Path.
	NoFile
	// Unreadable: Path could not be read.
	Unreadable
	// NoPaperworkField: Path has no paperwork field that reads as a
	// reference or a list of references.
	NoPaperworkField
)

// Explain says why there is no paperwork; quote quotes a path (a code span
// in Markdown).
func (g PaperworkGap) Explain(quote func(string) string) string {
	switch g.Reason {
	case NotLookedUp:
		return "not looked up (no datasets directory given)"
	case FileDeleted:
		return "none: the dataset file is deleted by this change; its link is in the file on the base branch"
	case NoFile:
		return "no dataset file at " + quote(g.Path)
	case Unreadable:
		return fmt.Sprintf("cannot read %s: %s", quote(g.Path), g.Err)
	case NoPaperworkField:
		return quote(g.Path) + " has no readable paperwork field"
	}
	return ""
}

// find returns the paperwork references of a dataset, or why there are
// none. It reads only the paperwork field, leniently: validating files is
// the validate command's job, and a summary should still show the paperwork
// of a file with an unrelated mistake. The field holds one reference or a
// list of them; a reference is a link or text naming a document
// ("DPIA 17056").
func (l PaperworkLookup) find(kind datasets.Kind, name string, status Status) ([]string, *PaperworkGap) {
	if l.Dir == "" {
		return nil, &PaperworkGap{Reason: NotLookedUp}
	}
	path := naming.DatasetFile(l.Dir, kind, name)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && status == Removed:
		return nil, &PaperworkGap{Reason: FileDeleted, Path: path}
	case errors.Is(err, fs.ErrNotExist):
		return nil, &PaperworkGap{Reason: NoFile, Path: path}
	case err != nil:
		return nil, &PaperworkGap{Reason: Unreadable, Path: path, Err: err.Error()}
	}
	var file struct {
		Paperwork oneOrMany[string] `json:"paperwork"`
	}
	var references []string
	if yaml.Unmarshal(data, &file) == nil {
		references = slices.DeleteFunc(file.Paperwork, func(ref string) bool { return strings.TrimSpace(ref) == "" })
	}
	if len(references) == 0 {
		return nil, &PaperworkGap{Reason: NoPaperworkField, Path: path}
	}
	return references, nil
}
