package plansummary

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// The pull dataset whose resources the drift tests change by hand: its
// reader as Terraform applied it, and a reader added by hand in an account
// Terraform never granted.
const (
	driftDataset = "tribunal_outcomes"
	driftBucket  = "mojap-tribunal-outcomes"
	driftReader  = "arn:aws:iam::754256621582:role/tribunal-reader"
	handReader   = "arn:aws:iam::999988887777:role/tribunal-adhoc"
)

// policyRC is a change of the dataset's bucket policy.
func policyRC(actions tfjson.Actions, before, after map[string]any) *tfjson.ResourceChange {
	return resourceChange("aws_s3_bucket_policy", pullID(driftDataset, "bucket_policy"), actions, before, after)
}

// TestDrift: what changed outside Terraform, and what the plan does about
// it, on hand-built plans for the cases the real fixture does not make.
func TestDrift(t *testing.T) {
	const user = "alpha_user_analyst_one"
	objects := []string{"arn:aws:s3:::" + driftBucket + "/*"}
	userPolicyRC := func(actions tfjson.Actions, before, after map[string]any) *tfjson.ResourceChange {
		return resourceChange("aws_iam_role_policy", naming.PullUserLogicalID(driftDataset, user), actions, before, after)
	}
	versioningRC := func(actions tfjson.Actions, before, after map[string]any) *tfjson.ResourceChange {
		return resourceChange("aws_s3_bucket_versioning", pullID(driftDataset, "bucket_versioning"), actions, before, after)
	}
	applied, handEdited := bucketPolicyValues(driftBucket, driftReader), bucketPolicyValues(driftBucket, driftReader, handReader)
	policyEditedByHand := []AttributeDrift{{Name: "policy", Policy: true, Added: []Grant{{Effect: "Allow", Principal: handReader,
		Account: "999988887777", NewAccount: true, Actions: []string{"s3:GetObject"}, Resources: objects}}}}
	userPolicy := pullUserPolicyValues(user, driftDataset)
	userPolicyDeleted := []AttributeDrift{{Name: "policy", Policy: true, Removed: []Grant{
		{Effect: "Allow", Actions: []string{"s3:GetObject", "s3:PutObject"}, Resources: objects},
		{Effect: "Allow", Actions: []string{"s3:ListBucket"}, Resources: []string{"arn:aws:s3:::" + driftBucket}},
	}}}
	enabled, suspended := versioningValues(driftBucket, "Enabled"), versioningValues(driftBucket, "Suspended")

	tests := []struct {
		name       string
		drift      *tfjson.ResourceChange
		planned    []*tfjson.ResourceChange
		verb       string
		attributes []AttributeDrift
		outcome    DriftOutcome
	}{
		{"a reader added by hand, removed by the plan", policyRC(actUpdate, applied, handEdited),
			[]*tfjson.ResourceChange{policyRC(actUpdate, handEdited, applied)}, verbUpdate, policyEditedByHand, Reverted},
		{"a reader added by hand, the same grant written otherwise by the plan", policyRC(actUpdate, applied, handEdited),
			[]*tfjson.ResourceChange{policyRC(actUpdate, handEdited, with(applied, map[string]any{"policy": strings.Replace(
				applied["policy"].(string), `"Action":"s3:GetObject"`, `"Action":["s3:GetObject"]`, 1)}))}, verbUpdate, policyEditedByHand, Reverted},
		{"a reader added by hand, kept by the plan", policyRC(actUpdate, applied, handEdited),
			[]*tfjson.ResourceChange{policyRC(actNoOp, handEdited, handEdited)}, verbUpdate, policyEditedByHand, Kept},
		{"a reader added by hand, not in the plan at all", policyRC(actUpdate, applied, handEdited),
			nil, verbUpdate, policyEditedByHand, Kept},
		{"a reader added by hand, the dataset file granting another", policyRC(actUpdate, applied, handEdited),
			[]*tfjson.ResourceChange{policyRC(actUpdate, handEdited, bucketPolicyValues(driftBucket, driftReader, "arn:aws:iam::754256621582:role/other"))},
			verbUpdate, policyEditedByHand, Overwritten},
		{"a reader added by hand, the planned policy known only after apply", policyRC(actUpdate, applied, handEdited),
			[]*tfjson.ResourceChange{unknownAfter(policyRC(actUpdate, handEdited, applied), "policy")}, verbUpdate, policyEditedByHand, Overwritten},
		{"a user's policy deleted by hand, re-created", userPolicyRC(actDelete, userPolicy, nil),
			[]*tfjson.ResourceChange{userPolicyRC(actCreate, nil, userPolicy)}, verbDelete, userPolicyDeleted, Recreated},
		{"a user's policy deleted by hand, the user removed from the file too", userPolicyRC(actDelete, userPolicy, nil),
			nil, verbDelete, userPolicyDeleted, LeftDeleted},
		{"versioning suspended by hand, turned on again", versioningRC(actUpdate, enabled, suspended),
			[]*tfjson.ResourceChange{versioningRC(actUpdate, suspended, enabled)}, verbUpdate,
			[]AttributeDrift{{Name: "versioning_configuration", Before: `[{"mfa_delete":"","status":"Enabled"}]`, After: `[{"mfa_delete":"","status":"Suspended"}]`}},
			Reverted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(driftedPlanOf(t, []*tfjson.ResourceChange{tt.drift}, tt.planned...), PaperworkLookup{})
			if len(s.Drift) != 1 {
				t.Fatalf("drift = %+v, want one", s.Drift)
			}
			d := s.Drift[0]
			if d.Address != tt.drift.Address || d.Verb != tt.verb || d.Owner.Dataset != driftDataset || !d.Ours {
				t.Errorf("drift of %s, %s, owner %+v; want %s, %s, dataset %s", d.Address, d.Verb, d.Owner, tt.drift.Address, tt.verb, driftDataset)
			}
			if !reflect.DeepEqual(d.Attributes, tt.attributes) {
				t.Errorf("attributes =\n%+v\nwant\n%+v", d.Attributes, tt.attributes)
			}
			if d.Outcome != tt.outcome {
				t.Errorf("outcome = %s, want %s", d.Outcome, tt.outcome)
			}
			for _, ds := range s.Datasets {
				if !ds.ChangedOutside {
					t.Errorf("dataset %s is listed without saying it was changed outside Terraform", ds.Name)
				}
			}
			if labels := s.Labels(); !slices.Contains(labels, LabelDrift) {
				t.Errorf("labels = %v, want %s", labels, LabelDrift)
			}
		})
	}
}

// TestDriftHidesSensitiveValues: a value Terraform marks sensitive is said
// to change, never shown.
func TestDriftHidesSensitiveValues(t *testing.T) {
	const pushed = "court_listings_archive"
	before := moverFunctionValues(pushed, "cloud-platform-court-archive", "754256621582")
	after := moverFunctionValues(pushed, "somewhere-else", "754256621582")
	drift := resourceChange("aws_lambda_function", pushID(pushed, "function"), actUpdate, before, after)
	drift.Change.AfterSensitive = map[string]any{"environment": []any{map[string]any{"variables": true}}}
	s := Summarize(driftedPlanOf(t, []*tfjson.ResourceChange{drift}), PaperworkLookup{})
	want := []AttributeDrift{{Name: "environment", Sensitive: true}}
	if len(s.Drift) != 1 || !reflect.DeepEqual(s.Drift[0].Attributes, want) {
		t.Fatalf("drift = %+v, want attributes %+v", s.Drift, want)
	}
	md := render(t, s)
	assertSays(t, md, "- `environment`: changed (its value is sensitive)\n", "- This plan: **keeps it as it is now")
	if strings.Contains(md, "somewhere-else") {
		t.Errorf("a sensitive value is shown:\n%s", md)
	}
}

// TestAccountGrantedByHandIsStillNew: an account someone granted by hand is
// not one Terraform knows, so a dataset file granting another principal in
// it is a new outside account; the principal granted by hand, which the plan
// removes, is not.
func TestAccountGrantedByHandIsStillNew(t *testing.T) {
	const newReader = "arn:aws:iam::999988887777:role/tribunal-dashboard"
	applied, handEdited := bucketPolicyValues(driftBucket, driftReader), bucketPolicyValues(driftBucket, driftReader, handReader)
	p := driftedPlanOf(t, []*tfjson.ResourceChange{policyRC(actUpdate, applied, handEdited)},
		policyRC(actUpdate, handEdited, bucketPolicyValues(driftBucket, driftReader, newReader)))
	// The refreshed prior state holds the policy edited by hand.
	p.PriorState = &tfjson.State{Values: &tfjson.StateValues{RootModule: &tfjson.StateModule{Resources: []*tfjson.StateResource{{
		Address: "aws_s3_bucket_policy." + pullID(driftDataset, "bucket_policy"), Mode: tfjson.ManagedResourceMode,
		Type: "aws_s3_bucket_policy", Name: pullID(driftDataset, "bucket_policy"), AttributeValues: handEdited,
	}}}}}
	s := Summarize(p, PaperworkLookup{})
	tribunal := findDataset(t, s, "pull", driftDataset)
	wantGained := []Principal{{ARN: newReader, Account: "999988887777", NewAccount: true}}
	wantLost := []Principal{{ARN: handReader, Account: "999988887777"}}
	if !slices.Equal(tribunal.PrincipalsGained, wantGained) || !slices.Equal(tribunal.PrincipalsLost, wantLost) {
		t.Errorf("principals gained %+v, lost %+v; want %+v, %+v", tribunal.PrincipalsGained, tribunal.PrincipalsLost, wantGained, wantLost)
	}
	if s.Drift[0].Outcome != Overwritten {
		t.Errorf("outcome = %s, want %s: the plan grants another reader", s.Drift[0].Outcome, Overwritten)
	}
	if labels := s.Labels(); !slices.Equal(labels, []Label{LabelNewOutsideAccount, LabelDrift}) {
		t.Errorf("labels = %v", labels)
	}
}

// TestDriftWithoutChanges: a plan that changes nothing still shows what
// changed outside Terraform.
func TestDriftWithoutChanges(t *testing.T) {
	applied, handEdited := bucketPolicyValues(driftBucket, driftReader), bucketPolicyValues(driftBucket, driftReader, "*")
	s := Summarize(driftedPlanOf(t, []*tfjson.ResourceChange{policyRC(actUpdate, applied, handEdited)},
		policyRC(actNoOp, handEdited, handEdited)), PaperworkLookup{})
	if !s.Empty() {
		t.Fatalf("counts = %v, want no changes", s.Counts)
	}
	assertSays(t, render(t, s),
		"**No changes:** this plan leaves every dataset and shared resource as it is.\n\n### Changes made outside Terraform\n",
		"#### Changed outside Terraform: `aws_s3_bucket_policy.pull-tribunal_outcomes-bucket_policy`\n\n- Owner: pull dataset `tribunal_outcomes`\n"+
			"- `policy`, added outside Terraform:\n  - Allow `*`: `s3:GetObject` on `arn:aws:s3:::mojap-tribunal-outcomes/*`\n"+
			"- This plan: **keeps it as it is now: the stack asks for the same**\n",
	)
}

// TestDriftLeavesOutWhatTerraformFillsIn: after an apply, the next refresh
// fills in attributes the configuration does not set, and empty values where
// Terraform recorded none. None of that is a change made outside Terraform;
// a setting the configuration sets, changed by hand, is.
func TestDriftLeavesOutWhatTerraformFillsIn(t *testing.T) {
	bucketID, encryptionID := pullID(driftDataset, "bucket"), pullID(driftDataset, "bucket_encryption")
	encryption := func(bucketKey any) map[string]any {
		return map[string]any{"bucket": driftBucket, "rule": []any{map[string]any{"bucket_key_enabled": bucketKey,
			"apply_server_side_encryption_by_default": []any{map[string]any{"kms_master_key_id": "", "sse_algorithm": "AES256"}}}}}
	}
	applied, refreshed := bucketValues(driftBucket), with(bucketValues(driftBucket), map[string]any{
		// Copies of the bucket's separate resources, and tags from the
		// provider's default_tags: not set by the bucket's configuration.
		"policy": bucketPolicyValues(driftBucket, handReader)["policy"], "tags": map[string]any{},
		// Set by the configuration, and changed by hand.
		"object_lock_enabled": true,
	})
	configured := func(typ, name string, attributes ...string) *tfjson.ConfigResource {
		expressions := map[string]*tfjson.Expression{}
		for _, a := range attributes {
			expressions[a] = &tfjson.Expression{ExpressionData: &tfjson.ExpressionData{ConstantValue: "set"}}
		}
		return &tfjson.ConfigResource{Address: typ + "." + name, Mode: tfjson.ManagedResourceMode, Type: typ, Name: name, Expressions: expressions}
	}
	p := driftedPlanOf(t, []*tfjson.ResourceChange{
		resourceChange("aws_s3_bucket", bucketID, actUpdate, applied, refreshed),
		// null becomes false: nobody changed it.
		resourceChange("aws_s3_bucket_server_side_encryption_configuration", encryptionID, actUpdate, encryption(nil), encryption(false)),
	}, resourceChange("aws_s3_bucket", bucketID, actUpdate, refreshed, applied))
	p.Config = &tfjson.Config{RootModule: &tfjson.ConfigModule{Resources: []*tfjson.ConfigResource{
		configured("aws_s3_bucket", bucketID, "bucket", "object_lock_enabled"),
		configured("aws_s3_bucket_server_side_encryption_configuration", encryptionID, "bucket", "rule"),
	}}}
	s := Summarize(p, PaperworkLookup{})
	want := []Drift{{ResourceChange: ResourceChange{Address: "aws_s3_bucket." + bucketID, Verb: verbUpdate, Ours: true,
		Owner: naming.LogicalID{Owner: naming.OwnerPull, Dataset: driftDataset, Part: "bucket"}},
		Attributes: []AttributeDrift{{Name: "object_lock_enabled", Before: "false", After: "true"}}, Outcome: Reverted}}
	if !reflect.DeepEqual(s.Drift, want) {
		t.Errorf("drift =\n%+v\nwant\n%+v", s.Drift, want)
	}
}

// TestPolicyDiff: documents compare by what they grant, whatever their
// statements, Sids, order and one-or-many forms.
func TestPolicyDiff(t *testing.T) {
	doc := func(t *testing.T, text string) policyDocument {
		d, ok := parsePolicy(text)
		if !ok {
			t.Fatalf("not a policy: %s", text)
		}
		return d
	}
	before := doc(t, `{"Statement":[{"Sid":"A","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:role/a"]},"Action":["s3:GetObject","s3:ListBucket"],"Resource":"b/*"},`+
		`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["b","b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)
	sameOtherwise := doc(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/a"},"Action":"s3:ListBucket","Resource":["b/*"]},`+
		`{"Sid":"B","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/a"},"Action":"s3:GetObject","Resource":"b/*"},`+
		`{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":["b/*","b"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)
	if !samePolicy(before, sameOtherwise) {
		t.Errorf("the same grants written otherwise compare different")
	}
	after := doc(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/a","Service":"lambda.amazonaws.com"},"Action":"s3:GetObject","Resource":"b/*"},`+
		`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::2:root"},"NotAction":["s3:Put*","s3:Delete*"],"Resource":"b/*"}]}`)
	added, removed := policyDiff(before, after)
	wantAdded := []Grant{
		{Effect: "Allow", Principal: "Service lambda.amazonaws.com", Actions: []string{"s3:GetObject"}, Resources: []string{"b/*"}},
		{Effect: "Allow", Principal: "all but arn:aws:iam::2:root", Actions: []string{"all but s3:Delete*, s3:Put*"}, Resources: []string{"b/*"}},
	}
	wantRemoved := []Grant{
		{Effect: "Allow", Principal: "arn:aws:iam::1:role/a", Account: "1", Actions: []string{"s3:ListBucket"}, Resources: []string{"b/*"}},
		{Effect: "Deny", Principal: "*", Actions: []string{"s3:*"}, Resources: []string{"b", "b/*"}, Condition: `{"Bool":{"aws:SecureTransport":"false"}}`},
	}
	if !reflect.DeepEqual(added, wantAdded) || !reflect.DeepEqual(removed, wantRemoved) {
		t.Errorf("added =\n%+v\nwant\n%+v\nremoved =\n%+v\nwant\n%+v", added, wantAdded, removed, wantRemoved)
	}
}
