package plansummary

import (
	"slices"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// TestLabels: each label on a plan that calls for it alone, none on plans
// that call for none, several in AllLabels order; every label is tested.
func TestLabels(t *testing.T) {
	fixture := func(scenario string) func(t *testing.T) *Plan {
		return func(t *testing.T) *Plan { return parsed(t, readScenario(t, scenario)) }
	}
	bucketDeleted := func(t *testing.T) *Plan {
		return parsed(t, editPlan(t, "no_change", "pull-tribunal_outcomes-bucket", func(c map[string]any) {
			c["actions"], c["after"] = []any{"delete"}, nil
		}))
	}
	exportBucket := bucketValues(naming.ExportBucket)
	importsExportBucket := imported(resourceChange("aws_s3_bucket", naming.SharedLogicalID("export_bucket"), actNoOp, exportBucket, exportBucket), naming.ExportBucket)
	imports := func(t *testing.T) *Plan { return planOf(t, importsExportBucket) }
	several := func(t *testing.T) *Plan {
		// A pull dataset's bucket, its only resource here, deleted: refused,
		// and the dataset removed.
		return planOf(t, importsExportBucket,
			resourceChange("aws_s3_bucket", pullID("tribunal_outcomes", "bucket"), actDelete, bucketValues("mojap-tribunal-outcomes"), nil))
	}
	tests := []struct {
		name string
		plan func(t *testing.T) *Plan
		want []Label
	}{
		{"no change", fixture("no_change"), nil},
		{"flags changed: versioning stopped is flagged, not refused", fixture("change_flags"), nil},
		{"users changed: a policy deleted", fixture("change_users"), nil},
		{"a bucket deleted", bucketDeleted, []Label{LabelDataAtRisk}},
		{"a principal in a new outside account", fixture("add_outside_account"), []Label{LabelNewOutsideAccount}},
		{"changed outside Terraform", fixture("changed_outside"), []Label{LabelDrift}},
		{"resources imported", imports, []Label{LabelAdoptsResources}},
		{"a dataset removed", fixture("remove_dataset"), []Label{LabelRemovesDataset}},
		{"several", several, []Label{LabelDataAtRisk, LabelAdoptsResources, LabelRemovesDataset}},
	}
	tested := map[Label]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(tt.plan(t), PaperworkLookup{})
			if got := s.Labels(); !slices.Equal(got, tt.want) {
				t.Errorf("labels = %v, want %v", got, tt.want)
			}
		})
		for _, l := range tt.want {
			tested[l] = true
		}
	}
	for _, l := range AllLabels {
		if !tested[l] {
			t.Errorf("no plan calls for label %s", l)
		}
		if l.Meaning() == "" || strings.ContainsAny(string(l), " ,\n") {
			t.Errorf("label %q: a label is one word with a meaning", l)
		}
	}
}

// TestMoverRoleRefusalSpeaksOfDelivery: re-creating a mover role loses no
// stored data; it breaks the recipients' bucket policies, and the comment
// says so first.
func TestMoverRoleRefusalSpeaksOfDelivery(t *testing.T) {
	p := parsed(t, editPlan(t, "no_change", "push-performance_hub_daily-role", func(c map[string]any) { c["actions"] = []any{"delete", "create"} }))
	md := render(t, Summarize(p, PaperworkLookup{}))
	assertSays(t, md, "> - :no_entry: **Breaks delivery: recipients' bucket policies bind the mover role's unique id.** "+
		"**replace** `aws_iam_role.push-performance_hub_daily-role` (push dataset `performance_hub_daily`)\n")
	if strings.Contains(md, "stored data") {
		t.Errorf("a mover role holds no data; the comment must not say stored data is at risk:\n%s", md)
	}
}

// parsed is a plan read from JSON.
func parsed(t *testing.T, planJSON []byte) *Plan {
	t.Helper()
	p, err := ParsePlan(planJSON)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
