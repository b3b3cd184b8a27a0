package plansummary

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
)

// PaperworkLookup finds each dataset's paperwork link in its dataset file,
// Dir/<kind>/<name>.yaml. With an empty Dir nothing is looked up.
type PaperworkLookup struct {
	Dir string
}

// find returns the paperwork link of a dataset, or a note saying why there is
// none. It reads only the paperwork field, leniently: validating files is
// the validate command's job, and a summary should still show the link of a
// file with an unrelated mistake.
func (l PaperworkLookup) find(kind datasets.Kind, name string, status Status) (link, note string) {
	if l.Dir == "" {
		return "", "not looked up (no datasets directory given)"
	}
	path := filepath.Join(l.Dir, string(kind), name+".yaml")
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && status == Removed:
		return "", "none: the dataset file is deleted by this change; its link is in the file on the base branch"
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Sprintf("no dataset file at `%s`", filepath.ToSlash(path))
	case err != nil:
		return "", fmt.Sprintf("cannot read `%s`: %v", filepath.ToSlash(path), err)
	}
	var file struct {
		Paperwork string `json:"paperwork"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil || file.Paperwork == "" {
		return "", fmt.Sprintf("`%s` has no readable paperwork field", filepath.ToSlash(path))
	}
	return file.Paperwork, ""
}
