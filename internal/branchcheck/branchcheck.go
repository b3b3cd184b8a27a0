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

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// branchPrefix is the prefix, as the user guide gives it, of a branch for a
// dataset of kind k: "push_dataset/".
func branchPrefix(k naming.Kind) string { return string(k) + "_dataset/" }

// Branch is the branch an analyst adds or changes the dataset on:
// "push_dataset/new_project".
func Branch(k naming.Kind, name string) string { return branchPrefix(k) + name }

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
				"branch %q changes dataset files (%s) but is not named %s: "+
					"analysts should use one branch per dataset, named after it", branch, strings.Join(datasetFiles, ", "), branchForms()))
		}
		return r
	}
	if name == "" || strings.Contains(name, "/") || strings.HasSuffix(name, naming.FileExtension) {
		r.Errors = append(r.Errors, fmt.Sprintf(
			"branch %q: after %s write the dataset name alone, as in the file name without %s (for example %snew_project)",
			branch, branchPrefix(kind), naming.FileExtension, branchPrefix(kind)))
		return r
	}
	want := naming.DatasetFile(naming.DatasetsDir, kind, name)
	if !slices.Contains(datasetFiles, want) {
		msg := fmt.Sprintf("branch %q does not change %s: add or edit that file, or rename the branch after the dataset it changes", branch, want)
		if other, ok := otherKindChanged(kind, name, datasetFiles); ok {
			msg += fmt.Sprintf(" (it changes the %s dataset of that name: the branch should be %s%s)", other, branchPrefix(other), name)
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
func datasetBranch(branch string) (kind naming.Kind, name string, ok bool) {
	for _, k := range naming.Kinds {
		if rest, found := strings.CutPrefix(branch, branchPrefix(k)); found {
			return k, rest, true
		}
	}
	return "", "", false
}

// branchForms is "push_dataset/<name> or pull_dataset/<name>".
func branchForms() string {
	forms := make([]string, len(naming.Kinds))
	for i, k := range naming.Kinds {
		forms[i] = branchPrefix(k) + "<name>"
	}
	return strings.Join(forms, " or ")
}

// isDatasetFile is true for a path directly under the directory of a kind of
// dataset (datasets/push/, datasets/pull/), whatever its extension: a file
// there with the wrong one is still the analyst's dataset file.
func isDatasetFile(p string) bool {
	dir, _ := path.Split(p)
	return slices.ContainsFunc(naming.Kinds, func(k naming.Kind) bool { return dir == path.Join(naming.DatasetsDir, string(k))+"/" })
}

// otherKindChanged is the kind, other than kind, whose dataset of this name
// the change touches.
func otherKindChanged(kind naming.Kind, name string, datasetFiles []string) (naming.Kind, bool) {
	for _, other := range naming.Kinds {
		if other != kind && slices.Contains(datasetFiles, naming.DatasetFile(naming.DatasetsDir, other, name)) {
			return other, true
		}
	}
	return "", false
}
