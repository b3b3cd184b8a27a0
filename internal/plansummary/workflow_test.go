package plansummary

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestSecondReviewKnowsEveryLabel: the second-review workflow asks for two
// approvals on the labels the summary writes. It cannot import this package,
// so it lists them; a label added here without adding it there would let a
// risky plan through on one approval.
func TestSecondReviewKnowsEveryLabel(t *testing.T) {
	workflow, err := os.ReadFile("../../.github/workflows/second-review.yml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*RISKY_LABELS:\s*(.+)$`).FindSubmatch(workflow)
	if m == nil {
		t.Fatal("second-review.yml has no RISKY_LABELS line")
	}
	listed := strings.Fields(string(m[1]))
	var known []string
	for _, l := range AllLabels {
		known = append(known, string(l))
	}
	slices.Sort(listed)
	slices.Sort(known)
	if !slices.Equal(listed, known) {
		t.Errorf("second-review.yml RISKY_LABELS = %v; the summary's labels are %v: keep them in step", listed, known)
	}
}
