package branchcheck

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		branch  string
		changed []string
		// errors and warnings are substrings each finding must contain, in order.
		errors   []string
		warnings []string
	}{
		{"push branch adds its file", "push_dataset/new_project", []string{"datasets/push/new_project.yaml"}, nil, nil},
		{"pull branch edits its file among others", "pull_dataset/probation_caseload", []string{"README.md", "datasets/pull/probation_caseload.yaml"}, nil, nil},
		{"push branch without its file", "push_dataset/new_project", []string{"README.md"}, []string{`does not change datasets/push/new_project.yaml`}, nil},
		{"push branch changing another dataset", "push_dataset/new_project", []string{"datasets/push/other_project.yaml"}, []string{`(it changes datasets/push/other_project.yaml)`}, nil},
		{"branch names the wrong kind", "push_dataset/new_project", []string{"datasets/pull/new_project.yaml"}, []string{`the branch should be pull_dataset/new_project`}, nil},
		{"dataset file with the wrong extension", "push_dataset/new_project", []string{"datasets/push/new_project.yml"}, []string{`(it changes datasets/push/new_project.yml)`}, nil},
		{"file name in the branch", "pull_dataset/new_project.yaml", []string{"datasets/pull/new_project.yaml"}, []string{`write the dataset name alone`}, nil},
		{"no name after the prefix", "pull_dataset/", []string{"datasets/pull/new_project.yaml"}, []string{`write the dataset name alone`}, nil},
		{"nested branch name", "push_dataset/team/new_project", []string{"datasets/push/new_project.yaml"}, []string{`write the dataset name alone`}, nil},
		{"dataset branch also changing another dataset", "push_dataset/new_project", []string{"datasets/push/new_project.yaml", "datasets/pull/other.yaml"}, nil, []string{`also changes datasets/pull/other.yaml`}},
		{"other branch changing a dataset file warns", "my-feature", []string{"datasets/push/new_project.yaml"}, nil, []string{`"my-feature" changes dataset files (datasets/push/new_project.yaml)`}},
		{"other branch changing code only passes silently", "fix-mover", []string{"functions/mover/main.go", "datasets/model.go"}, nil, nil},
		{"similar prefix is not a dataset branch", "push_datasets/new_project", []string{"README.md"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Check(tt.branch, tt.changed)
			assertFindings(t, "errors", r.Errors, tt.errors)
			assertFindings(t, "warnings", r.Warnings, tt.warnings)
			if r.OK() != (len(tt.errors) == 0) {
				t.Errorf("OK() = %v with errors %q", r.OK(), r.Errors)
			}
		})
	}
}

func assertFindings(t *testing.T, kind string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s = %q, want %d containing %q", kind, got, len(want), want)
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("%s[%d] = %q, want it to contain %q", kind, i, got[i], want[i])
		}
	}
}
