package stacks_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/internal/adopt"
	"github.com/ministryofjustice/data-engineering-exports/stacks"
)

// TestImportBlocks: each import becomes a plain Terraform import block,
// in the order given; without imports there is no import block at all
// (TestGolden holds that JSON).
func TestImportBlocks(t *testing.T) {
	config := exampleConfig(t)
	config.Imports = []stacks.Import{
		{To: "aws_s3_bucket.shared-export_bucket", ID: "mojap-hub-exports", Source: "imports.yaml:9"},
		{To: "aws_iam_role_policy.user-alpha_user_analyst_one", ID: "alpha_user_analyst_one:hub_exports", Source: "imports.yaml:12"},
	}
	tf := parse(t, stackJSON(t, synth(t, config)))
	want := []map[string]string{
		{"to": "aws_s3_bucket.shared-export_bucket", "id": "mojap-hub-exports"},
		// A user's policy has a count (0 while the role is gone): its one
		// instance is what is imported into.
		{"to": "aws_iam_role_policy.user-alpha_user_analyst_one[0]", "id": "alpha_user_analyst_one:hub_exports"},
	}
	if !jsonEqual(tf.Import, want) {
		t.Errorf("import blocks %v, want %v", tf.Import, want)
	}
	if golden, err := os.ReadFile(goldenPath); err != nil || strings.Contains(string(golden), `"import"`) {
		t.Errorf("the golden stack, synthesized without imports, has an import block (or cannot be read: %v)", err)
	}
}

// TestImportIntoAMissingResourceIsRefused: an import whose address the
// stack does not have (its dataset file is gone, say) stops synthesis,
// naming the entry and what to do, and leaves no stack to plan.
func TestImportIntoAMissingResourceIsRefused(t *testing.T) {
	config := exampleConfig(t)
	config.Imports = []stacks.Import{
		{To: "aws_s3_bucket.shared-export_bucket", ID: "mojap-hub-exports", Source: "datasets/imports.yaml:9"},
		{To: "aws_s3_bucket.pull-gone-bucket", ID: "mojap-gone", Source: "datasets/imports.yaml:12"},
		// A data source is not a resource: it cannot be imported into.
		{To: "aws_iam_role.user-alpha_user_analyst_one", ID: "alpha_user_analyst_one", Source: "datasets/imports.yaml:15"},
	}
	outdir := t.TempDir()
	earlier := filepath.Join(outdir, "stacks", stacks.ID, "cdk.tf.json")
	if err := os.MkdirAll(filepath.Dir(earlier), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(earlier, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := stacks.Synth(outdir, config)
	if err == nil {
		t.Fatal("synthesis accepted imports into resources the stack does not have")
	}
	for _, want := range []string{
		`datasets/imports.yaml:12: to: aws_s3_bucket.pull-gone-bucket is not a resource of the stack, so there is nothing to import "mojap-gone" into`,
		"datasets/imports.yaml:15: to: aws_iam_role.user-alpha_user_analyst_one is not a resource of the stack",
		"run `go run ./cmd/exports adopt` again, or remove the entry",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error\n%v\ndoes not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "imports.yaml:9") {
		t.Errorf("error names a good entry:\n%v", err)
	}
	if _, err := os.Stat(filepath.Dir(earlier)); !os.IsNotExist(err) {
		t.Errorf("an earlier synthesis is left in %s, to be planned as if it were this one (stat: %v)", filepath.Dir(earlier), err)
	}
}

// TestAdoptImportsOnlyIntoTheStack: every address adopt may write for a
// set of datasets is a resource of the stack that set synthesizes, so an
// imports file from adopt never names one the stack does not have.
func TestAdoptImportsOnlyIntoTheStack(t *testing.T) {
	config := exampleConfig(t)
	tf := parse(t, stackJSON(t, synth(t, config)))
	var resources []string
	for resourceType, byID := range tf.Resource {
		for id := range byID {
			resources = append(resources, resourceType+"."+id)
		}
	}
	addresses := adopt.Addresses(config.Datasets)
	if len(addresses) < 30 {
		t.Fatalf("adopt knows only %d addresses for the example datasets: %v", len(addresses), addresses)
	}
	for _, address := range addresses {
		if !slices.Contains(resources, address) {
			t.Errorf("adopt may import into %s, which the stack does not have", address)
		}
	}
}

// TestExclusiveGrantsOnlyOnMoverRoles: the resources that delete every
// other policy on a role hold only the stack's own mover roles, never a
// user's alpha_user_* role, which other tools manage too.
func TestExclusiveGrantsOnlyOnMoverRoles(t *testing.T) {
	config := exampleConfig(t)
	tf := parse(t, stackJSON(t, synth(t, config)))
	for _, resourceType := range []string{"aws_iam_role_policies_exclusive", "aws_iam_role_policy_attachments_exclusive"} {
		byID := tf.Resource[resourceType]
		if len(byID) != len(config.Datasets.Push) {
			t.Errorf("%d %s, want one per push dataset", len(byID), resourceType)
		}
		for id, resource := range byID {
			role, _ := resource["role_name"].(string)
			if !strings.HasPrefix(role, "${aws_iam_role.push-") || !strings.HasSuffix(role, "-role.name}") {
				t.Errorf("%s.%s holds role %q, which is not a mover role of the stack", resourceType, id, role)
			}
		}
	}
}
