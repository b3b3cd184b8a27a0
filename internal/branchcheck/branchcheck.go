// Package branchcheck checks that a pull request from a dataset branch
// changes that dataset's file. Analysts are told to name their branch
// push_dataset/<name> or pull_dataset/<name>; a branch so named that does not
// touch datasets/<kind>/<name>.yaml has the wrong name or the wrong file, and
// the reviewer would be judging a different dataset from the one the branch
// claims. Other branches get warnings only: engineers change code too.
package branchcheck

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
)

// branchPrefixes maps the branch prefixes the user guide gives to the kind of
// dataset they are for.
var branchPrefixes = map[string]datasets.Kind{
	"push_dataset/": datasets.KindPush,
	"pull_dataset/": datasets.KindPull,
}

// DatasetsDir is where dataset files live, relative to the repository root.
const DatasetsDir = "datasets"

// Result is what the check found: errors fail the check, warnings do not.
type Result struct {
	Errors   []string
	Warnings []string
}

// OK is true when there is no error.
func (r Result) OK() bool { return len(r.Errors) == 0 }

// Check compares a pull request's head branch with the paths (relative to the
// repository root, as `git diff --name-only` prints them) it changes.
func Check(branch string, changed []string) Result {
	var r Result
	datasetFiles := slices.DeleteFunc(slices.Clone(changed), func(p string) bool { return !isDatasetFile(p) })
	slices.Sort(datasetFiles)

	kind, name, isDatasetBranch := datasetBranch(branch)
	if !isDatasetBranch {
		if len(datasetFiles) > 0 {
			r.Warnings = append(r.Warnings, fmt.Sprintf(
				"branch %q changes dataset files (%s) but is not named push_dataset/<name> or pull_dataset/<name>: "+
					"analysts should use one branch per dataset, named after it", branch, strings.Join(datasetFiles, ", ")))
		}
		return r
	}
	if name == "" || strings.Contains(name, "/") || strings.HasSuffix(name, ".yaml") {
		r.Errors = append(r.Errors, fmt.Sprintf(
			"branch %q: after %s_dataset/ write the dataset name alone, as in the file name without .yaml (for example %s_dataset/new_project)",
			branch, kind, kind))
		return r
	}
	want := path.Join(DatasetsDir, string(kind), name+".yaml")
	if !slices.Contains(datasetFiles, want) {
		msg := fmt.Sprintf("branch %q does not change %s: add or edit that file, or rename the branch after the dataset it changes", branch, want)
		if other := otherKind(kind); slices.Contains(datasetFiles, path.Join(DatasetsDir, string(other), name+".yaml")) {
			msg += fmt.Sprintf(" (it changes the %s dataset of that name: the branch should be %s_dataset/%s)", other, other, name)
		} else if len(datasetFiles) > 0 {
			msg += fmt.Sprintf(" (it changes %s)", strings.Join(datasetFiles, ", "))
		}
		r.Errors = append(r.Errors, msg)
		return r
	}
	if others := slices.DeleteFunc(datasetFiles, func(p string) bool { return p == want }); len(others) > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf(
			"branch %q also changes %s: one dataset per pull request keeps each review to one decision", branch, strings.Join(others, ", ")))
	}
	return r
}

// datasetBranch reads push_dataset/<name> and pull_dataset/<name>.
func datasetBranch(branch string) (kind datasets.Kind, name string, ok bool) {
	for prefix, k := range branchPrefixes {
		if rest, found := strings.CutPrefix(branch, prefix); found {
			return k, rest, true
		}
	}
	return "", "", false
}

// isDatasetFile is true for a path directly under datasets/push/ or
// datasets/pull/.
func isDatasetFile(p string) bool {
	dir, _ := path.Split(p)
	return dir == DatasetsDir+"/"+string(datasets.KindPush)+"/" || dir == DatasetsDir+"/"+string(datasets.KindPull)+"/"
}

func otherKind(k datasets.Kind) datasets.Kind {
	if k == datasets.KindPush {
		return datasets.KindPull
	}
	return datasets.KindPush
}
