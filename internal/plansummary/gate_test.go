package plansummary

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/ministryofjustice/data-engineering-exports/federation"
)

// TestGate: for each rule, a plan the deploy must refuse and one it must
// let through. refused is the address of every change Gate refuses, in plan
// order.
func TestGate(t *testing.T) {
	const (
		bucket  = "mojap-tribunal-outcomes"
		dataset = "court_listings_archive"
		reader  = "arn:aws:iam::754256621582:role/tribunal-reader"
	)
	bucketRC := func(actions tfjson.Actions, before, after map[string]any) *tfjson.ResourceChange {
		return resourceChange("aws_s3_bucket", pullID("tribunal_outcomes", "bucket"), actions, before, after)
	}
	policyRC := func(actions tfjson.Actions, before, after map[string]any) *tfjson.ResourceChange {
		return resourceChange("aws_s3_bucket_policy", pullID("tribunal_outcomes", "bucket_policy"), actions, before, after)
	}
	blockRC := func(actions tfjson.Actions, before, after map[string]any) *tfjson.ResourceChange {
		return resourceChange("aws_s3_bucket_public_access_block", pullID("tribunal_outcomes", "bucket_public_access_block"), actions, before, after)
	}
	versioningRC := func(actions tfjson.Actions, before, after map[string]any) *tfjson.ResourceChange {
		return resourceChange("aws_s3_bucket_versioning", pullID("tribunal_outcomes", "bucket_versioning"), actions, before, after)
	}
	roleRC := func(name string, actions tfjson.Actions, before, after map[string]any) *tfjson.ResourceChange {
		return resourceChange("aws_iam_role", name, actions, before, after)
	}
	functionRC := func(actions tfjson.Actions, before, after map[string]any) *tfjson.ResourceChange {
		return resourceChange("aws_lambda_function", pushID(dataset, "function"), actions, before, after)
	}
	b, role, fn := bucketValues(bucket), moverRoleValues(dataset), moverFunctionValues(dataset, "cloud-platform-court-archive", "754256621582")
	const pulled = "tribunal_outcomes"
	googleRole, azureRole := readerRoleValues(pulled, googleReader), readerRoleValues(pulled, azureReader)
	otherAzure := azureReader
	otherAzure.ObjectID = "11111111-2222-4333-8444-555555555555"
	// Any Google account may ask for the role's audience: this admits them all.
	audienceOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"accounts.google.com:oaud":"` +
		federation.GCPAudience(federation.RoleName(pulled, googleReader)) + `"}}}]}`
	pab := publicAccessBlockValues(bucket)

	tests := []struct {
		name    string
		rule    Rule
		changes []*tfjson.ResourceChange
		refused []string
	}{
		// A bucket deleted or replaced.
		{"bucket deleted with its dataset", BucketDeleted, []*tfjson.ResourceChange{
			bucketRC(actDelete, b, nil),
			policyRC(actDelete, bucketPolicyValues(bucket, reader), nil),
			blockRC(actDelete, pab, nil),
		}, []string{"aws_s3_bucket.pull-tribunal_outcomes-bucket"}},
		{"bucket replaced", BucketDeleted, []*tfjson.ResourceChange{
			bucketRC(actReplace, b, with(b, map[string]any{"object_lock_enabled": true})),
		}, []string{"aws_s3_bucket.pull-tribunal_outcomes-bucket"}},
		{"bucket created", BucketDeleted, []*tfjson.ResourceChange{
			bucketRC(actCreate, nil, b),
		}, nil},

		// force_destroy turned on.
		{"force_destroy turned on", ForceDestroyOn, []*tfjson.ResourceChange{
			bucketRC(actUpdate, b, with(b, map[string]any{"force_destroy": true})),
		}, []string{"aws_s3_bucket.pull-tribunal_outcomes-bucket"}},
		{"force_destroy turned off", ForceDestroyOn, []*tfjson.ResourceChange{
			bucketRC(actUpdate, with(b, map[string]any{"force_destroy": true}), b),
		}, nil},

		// A bucket policy deleted or replaced while its bucket stays.
		{"bucket policy deleted, bucket kept", BucketPolicyDeleted, []*tfjson.ResourceChange{
			bucketRC(actNoOp, b, b),
			policyRC(actDelete, bucketPolicyValues(bucket, reader), nil),
		}, []string{"aws_s3_bucket_policy.pull-tribunal_outcomes-bucket_policy"}},
		{"bucket policy updated with a new reader", BucketPolicyDeleted, []*tfjson.ResourceChange{
			bucketRC(actNoOp, b, b),
			policyRC(actUpdate, bucketPolicyValues(bucket, reader), bucketPolicyValues(bucket, "arn:aws:iam::754256621582:role/other-reader")),
		}, nil},

		// A public access block weakened.
		{"public access block weakened", PublicAccessWeakened, []*tfjson.ResourceChange{
			blockRC(actUpdate, pab, with(pab, map[string]any{"restrict_public_buckets": false})),
		}, []string{"aws_s3_bucket_public_access_block.pull-tribunal_outcomes-bucket_public_access_block"}},
		{"public access block replaced, every block kept on", PublicAccessWeakened, []*tfjson.ResourceChange{
			blockRC(actReplace, pab, pab),
		}, nil},

		// A mover role deleted or replaced while its dataset delivers.
		{"mover role replaced", MoverRoleRecreated, []*tfjson.ResourceChange{
			unknownAfter(roleRC(pushID(dataset, "role"), actReplace, role, with(role, map[string]any{"path": "/"})), "arn", "unique_id"),
			functionRC(actNoOp, fn, fn),
		}, []string{"aws_iam_role.push-court_listings_archive-role"}},
		{"mover role moved to another address without a moved block", MoverRoleRecreated, []*tfjson.ResourceChange{
			unknownAfter(roleRC("export_role", actCreate, nil, role), "arn", "id", "unique_id"),
			roleRC(pushID(dataset, "role"), actDelete, role, nil),
		}, []string{"aws_iam_role.push-court_listings_archive-role"}},
		{"mover role deleted, its function kept", MoverRoleRecreated, []*tfjson.ResourceChange{
			roleRC(pushID(dataset, "role"), actDelete, role, nil),
			functionRC(actNoOp, fn, fn),
		}, []string{"aws_iam_role.push-court_listings_archive-role"}},
		{"push dataset removed, mover role with it", MoverRoleRecreated, []*tfjson.ResourceChange{
			roleRC(pushID(dataset, "role"), actDelete, role, nil),
			functionRC(actDelete, fn, nil),
		}, nil},
		{"mover role's tags updated", MoverRoleRecreated, []*tfjson.ResourceChange{
			roleRC(pushID(dataset, "role"), actUpdate, role, with(role, map[string]any{"tags": map[string]any{"owner": "data-engineering"}})),
		}, nil},
		{"another role replaced", MoverRoleRecreated, []*tfjson.ResourceChange{
			roleRC("shared-other_role", actReplace, with(role, map[string]any{"name": "other"}), with(role, map[string]any{"name": "other", "path": "/"})),
		}, nil},

		// A federated reader's role: its trust is the one narrow shape,
		// for the identity its name comes from.
		{"Google reader role added", ReaderTrustNotNarrow, []*tfjson.ResourceChange{
			roleRC(readerID(pulled, googleReader), actCreate, nil, googleRole),
		}, nil},
		{"Azure reader role added", ReaderTrustNotNarrow, []*tfjson.ResourceChange{
			roleRC(readerID(pulled, azureReader), actCreate, nil, azureRole),
		}, nil},
		{"reader role deleted", ReaderTrustNotNarrow, []*tfjson.ResourceChange{
			roleRC(readerID(pulled, googleReader), actDelete, googleRole, nil),
		}, nil},
		{"Google reader trusting the audience alone", ReaderTrustNotNarrow, []*tfjson.ResourceChange{
			roleRC(readerID(pulled, googleReader), actCreate, nil, with(googleRole, map[string]any{"assume_role_policy": audienceOnly})),
		}, []string{"aws_iam_role." + readerID(pulled, googleReader)}},
		{"Azure reader trusting another reader's identity", ReaderTrustNotNarrow, []*tfjson.ResourceChange{
			roleRC(readerID(pulled, azureReader), actUpdate, azureRole, with(azureRole, map[string]any{"assume_role_policy": otherAzure.TrustPolicy(federation.AzureProviderARN(testAccount, otherAzure.TenantID)).JSON()})),
		}, []string{"aws_iam_role." + readerID(pulled, azureReader)}},
		{"reader trust known only after apply", ReaderTrustNotNarrow, []*tfjson.ResourceChange{
			unknownAfter(roleRC(readerID(pulled, azureReader), actCreate, nil, azureRole), "assume_role_policy"),
		}, []string{"aws_iam_role." + readerID(pulled, azureReader)}},
		{"reader sessions of twelve hours", ReaderTrustNotNarrow, []*tfjson.ResourceChange{
			roleRC(readerID(pulled, googleReader), actCreate, nil, with(googleRole, map[string]any{"max_session_duration": 43200.0})),
		}, []string{"aws_iam_role." + readerID(pulled, googleReader)}},
		{"another role at the readers' path", ReaderTrustNotNarrow, []*tfjson.ResourceChange{
			roleRC("extra_reader", actCreate, nil, with(googleRole, map[string]any{"name": "extra", "assume_role_policy": audienceOnly})),
		}, []string{"aws_iam_role.extra_reader"}},
		{"reader role moved off the readers' path", ReaderTrustNotNarrow, []*tfjson.ResourceChange{
			roleRC(readerID(pulled, googleReader), actReplace, googleRole, with(googleRole, map[string]any{"path": "/"})),
		}, []string{"aws_iam_role." + readerID(pulled, googleReader)}},

		// Stopping versioning is flagged for the reviewer, never refused.
		{"versioning stopped", VersioningStopped, []*tfjson.ResourceChange{
			versioningRC(actUpdate, versioningValues(bucket, "Enabled"), versioningValues(bucket, "Suspended")),
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planOf(t, tt.changes...)
			gate := Gate(p.Plan)
			var refused []string
			for _, r := range gate {
				refused = append(refused, r.Address)
				if r.Rule != tt.rule {
					t.Errorf("%s refused by rule %q, want %q", r.Address, r.Rule, tt.rule)
				}
				if text := r.String(); !strings.Contains(text, r.Address) || !strings.Contains(text, strconv.Quote(r.Name)) {
					t.Errorf("a refusal must name the resource and the bucket or role it concerns: %s", text)
				}
			}
			if !slices.Equal(refused, tt.refused) {
				t.Errorf("Gate refuses %q, want %q", refused, tt.refused)
			}
		})
	}
}

// TestVersioningStoppedIsARisk: what the gate lets through may still be
// flagged for the reviewer.
func TestVersioningStoppedIsARisk(t *testing.T) {
	const bucket = "mojap-probation-caseload"
	p := planOf(t, resourceChange("aws_s3_bucket_versioning", pullID("probation_caseload", "bucket_versioning"), actDelete,
		versioningValues(bucket, "Enabled"), nil))
	risks := Risks(p.Plan)
	if len(risks) != 1 || risks[0].Rule != VersioningStopped || risks[0].Refused() || risks[0].Name != bucket {
		t.Errorf("Risks = %+v, want one VersioningStopped risk, not refused, for %s", risks, bucket)
	}
}

// TestReaderRefusalsSayWhy: each refusal of a reader role says what is
// wrong with it, in the words of the check that refuses it.
func TestReaderRefusalsSayWhy(t *testing.T) {
	const pulled = "tribunal_outcomes"
	role := readerRoleValues(pulled, googleReader)
	name := federation.RoleName(pulled, googleReader)
	tagSession := strings.Replace(role["assume_role_policy"].(string), `"Action":["sts:AssumeRoleWithWebIdentity"]`, `"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"]`, 1)
	otherDataset := readerRoleValues("probation_caseload", googleReader)
	tests := map[string]struct {
		values map[string]any
		want   string
	}{
		"session tags":         {with(role, map[string]any{"assume_role_policy": tagSession}), "its trust policy allows the actions sts:AssumeRoleWithWebIdentity, sts:TagSession, but a reader's role allows sts:AssumeRoleWithWebIdentity alone"},
		"another dataset's":    {with(otherDataset, map[string]any{"name": name}), "requires the audience https://mojap-exports/" + otherDataset["name"].(string) + ", but role " + name + "'s own audience is"},
		"not a policy":         {with(role, map[string]any{"assume_role_policy": "[]"}), "its trust policy is not a JSON object"},
		"twelve-hour sessions": {with(role, map[string]any{"max_session_duration": 43200.0}), "its sessions may last 43200 seconds, but a reader's last at most 3600"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			refused := Gate(planOf(t, resourceChange("aws_iam_role", readerID(pulled, googleReader), actCreate, nil, tt.values)).Plan)
			if len(refused) != 1 || refused[0].Rule != ReaderTrustNotNarrow || !strings.Contains(refused[0].String(), tt.want) {
				t.Errorf("Gate = %v; want one refusal saying %q", refused, tt.want)
			}
		})
	}
}
