package adopt_test

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/internal/adopt"
	"github.com/ministryofjustice/data-engineering-exports/internal/migrate"
	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/earliertool"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/motoserver"
)

// account builds estate in a new emulator, with the users' roles it needs.
func account(t *testing.T, estate earliertool.Estate) *motoserver.Server {
	t.Helper()
	moto := motoserver.StartTWith(t, motoserver.Options{LoadManagedPolicies: true})
	if err := moto.CreateRoles(t.Context(), estate.Users()...); err != nil {
		t.Fatal(err)
	}
	if err := estate.Build(t.Context(), moto.AWSConfig()); err != nil {
		t.Fatal(err)
	}
	return moto
}

// migrated is the set of datasets that migrating estate's files gives.
func migrated(t *testing.T, estate earliertool.Estate) datasets.Set {
	t.Helper()
	legacy, ours := t.TempDir(), t.TempDir()
	if err := estate.WriteFiles(legacy); err != nil {
		t.Fatal(err)
	}
	// Every push file waits for its recipient's account, which migrate
	// cannot know; the test takes that decision as a person would.
	report, err := migrate.Run(migrate.Options{From: legacy, To: ours})
	if err != nil || report.Status() != migrate.DecisionsPending {
		t.Fatalf("migrate: %v\n%s", err, report.Markdown())
	}
	if err := estate.PinRecipientAccounts(ours, motoserver.AccountID); err != nil {
		t.Fatal(err)
	}
	set, err := datasets.Load(ours)
	if err != nil {
		t.Fatal(err)
	}
	return *set
}

func discover(t *testing.T, moto *motoserver.Server, set datasets.Set) *adopt.Findings {
	t.Helper()
	findings, err := adopt.Discover(t.Context(), adopt.NewClients(moto.AWSConfig()), set)
	if err != nil {
		t.Fatal(err)
	}
	return findings
}

// imports lists the findings' imports as "<to> <- <id>".
func imports(f *adopt.Findings) []string {
	lines := make([]string, len(f.Imports))
	for i, e := range f.Imports {
		lines[i] = e.To + " <- " + e.ID
	}
	return lines
}

// TestDiscoverTheEarlierToolsEstate: everything the earlier tool deployed
// for the example estate is imported into the stack's resource of the
// migrated datasets, and each of its grants that the switch removes is
// said; nothing needs a person first.
func TestDiscoverTheEarlierToolsEstate(t *testing.T) {
	estate := earliertool.Example()
	moto := account(t, estate)
	findings := discover(t, moto, migrated(t, estate))

	visits, hearings := "export_prison_visits_weekly-move", "export_court_hearings_feed-move"
	want := []string{
		"aws_cloudwatch_log_group.push-prison_visits_weekly-log_group <- /aws/lambda/" + visits,
		"aws_iam_role.push-court_hearings_feed-role <- " + hearings,
		"aws_iam_role.push-prison_visits_weekly-role <- " + visits,
		"aws_iam_role_policy.pull-adjudications_insights-user-alpha_user_kofi-mensah <- alpha_user_kofi-mensah:hub-exports-pull-adjudications-insights",
		"aws_iam_role_policy.pull-adjudications_insights-user-alpha_user_priya-patel <- alpha_user_priya-patel:hub-exports-pull-adjudications-insights",
		"aws_iam_role_policy.pull-cjs_dashboard-user-alpha_user_janedoe <- alpha_user_janedoe:hub-exports-pull-cjs_dashboard",
		"aws_iam_role_policy.pull-tribunal_sync-user-alpha_user_ola-nowak <- alpha_user_ola-nowak:hub-exports-pull-tribunal_sync",
		"aws_iam_role_policy.user-alpha_user_priya-patel <- alpha_user_priya-patel:hub_exports",
		"aws_iam_role_policy.user-alpha_user_sam-lee <- alpha_user_sam-lee:hub_exports",
		"aws_iam_role_policy.user-alpha_user_tom-okafor <- alpha_user_tom-okafor:hub_exports",
		"aws_lambda_function.push-court_hearings_feed-function <- " + hearings,
		"aws_lambda_function.push-prison_visits_weekly-function <- " + visits,
		"aws_lambda_permission.push-court_hearings_feed-permission <- " + hearings + "/" + earliertool.StatementID(hearings),
		"aws_lambda_permission.push-prison_visits_weekly-permission <- " + visits + "/" + earliertool.StatementID(visits),
		"aws_s3_bucket.pull-adjudications_insights-bucket <- mojap-adjudications-insights",
		"aws_s3_bucket.pull-cjs_dashboard-bucket <- mojap-cjs-dashboard",
		"aws_s3_bucket.pull-tribunal_sync-bucket <- mojap-tribunal-sync",
		"aws_s3_bucket.shared-export_bucket <- mojap-hub-exports",
		"aws_s3_bucket_notification.shared-notification <- mojap-hub-exports",
		"aws_s3_bucket_policy.pull-adjudications_insights-bucket_policy <- mojap-adjudications-insights",
		"aws_s3_bucket_policy.pull-cjs_dashboard-bucket_policy <- mojap-cjs-dashboard",
		"aws_s3_bucket_policy.pull-tribunal_sync-bucket_policy <- mojap-tribunal-sync",
		"aws_s3_bucket_public_access_block.shared-export_bucket_public_access_block <- mojap-hub-exports",
		"aws_s3_bucket_server_side_encryption_configuration.shared-export_bucket_encryption <- mojap-hub-exports",
		"aws_s3_bucket_versioning.pull-adjudications_insights-bucket_versioning <- mojap-adjudications-insights",
	}
	if got := imports(findings); !slices.Equal(got, want) {
		t.Errorf("imports:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for _, e := range findings.Imports {
		if e.Found == "" {
			t.Errorf("%s: no comment says what was found", e.To)
		}
	}
	assertSaid(t, "changes", findings.Changes,
		"Inline policy `s3-access` on the mover role `"+visits+"` is deleted",
		"Managed policy `"+earliertool.BasicExecutionRole+"` is detached from the mover role `"+hearings+"`",
		"The permission `"+earliertool.StatementID(visits)+"` that lets S3 start `"+visits+"` is replaced by the stack's `AllowExportBucket`",
		"The notification configuration of `mojap-hub-exports` (2 entries) is replaced",
		"Inline policy `hub_exports` on `alpha_user_tom-okafor` is replaced by `data-engineering-exports-push`",
		"Inline policy `hub-exports-pull-adjudications-insights` on `alpha_user_kofi-mensah` is replaced by `data-engineering-exports-pull-adjudications_insights`")
	if len(findings.Changes) != 14 {
		t.Errorf("%d changes, want 14 (2 mover policies, 2 attachments, 2 permissions, the notification, 7 user policies):\n%s",
			len(findings.Changes), strings.Join(findings.Changes, "\n"))
	}
	if len(findings.BeforeSwitch)+len(findings.Unmanaged) > 0 {
		t.Errorf("before the switch %q, unmanaged %q; want neither", findings.BeforeSwitch, findings.Unmanaged)
	}
}

// assertSaid fails unless each phrase is in one of the findings.
func assertSaid(t *testing.T, what string, findings []string, phrases ...string) {
	t.Helper()
	for _, phrase := range phrases {
		if !slices.ContainsFunc(findings, func(f string) bool { return strings.Contains(f, phrase) }) {
			t.Errorf("%s do not say %q:\n  %s", what, phrase, strings.Join(findings, "\n  "))
		}
	}
}

// TestDiscoverWhatTheStackLeavesAlone: what exists and the stack will not
// manage is listed for a person to retire, and what would break a delivery
// or an access at the switch is listed to do before it.
func TestDiscoverWhatTheStackLeavesAlone(t *testing.T) {
	estate := earliertool.Example()
	// A version of the earlier tool delivered datasets that keep files with
	// a copy function, under other names.
	estate.Push[1].Function, estate.Push[1].Role = "copy_court_hearings_feed", "copy_court_hearings_feed-role"
	// A push dataset that stays with the earlier tool (not migrated).
	estate.Push = append(estate.Push, earliertool.Push{Name: "legacy_feed", Recipient: "legacy-landing", Users: []string{"alpha_user_sam-lee"}})
	moto := account(t, estate)
	ctx, cfg := t.Context(), moto.AWSConfig()
	iamClient := iam.NewFromConfig(cfg)
	// A user no dataset lists any more, with a pull policy left behind.
	if err := moto.CreateRoles(ctx, "alpha_user_gone"); err != nil {
		t.Fatal(err)
	}
	putPolicy(ctx, t, iamClient, "alpha_user_gone", naming.EarlierUserPullPolicy("old_reports"))
	// A user with both tools' push policies.
	putPolicy(ctx, t, iamClient, "alpha_user_tom-okafor", naming.UserPushPolicy)
	// A role of ours at another path than the movers'.
	if _, err := iamClient.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("export_new_feed-move"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`)}); err != nil {
		t.Fatal(err)
	}

	set := migrated(t, earliertool.Estate{Push: estate.Push[:2], Pull: estate.Pull})
	set.Push = append(set.Push, datasets.Push{Name: "new_feed", Bucket: "new-landing", Users: []string{"alpha_user_sam-lee"}})
	set.Pull[0].BucketVersioning = false // the bucket is versioned
	findings := discover(t, moto, set)

	for _, absent := range []string{"aws_lambda_function.push-court_hearings_feed-function", "aws_iam_role.push-court_hearings_feed-role",
		"aws_s3_bucket_versioning.pull-adjudications_insights-bucket_versioning"} {
		if slices.ContainsFunc(findings.Imports, func(e adopt.Entry) bool { return e.To == absent }) {
			t.Errorf("imports %s, which does not exist", absent)
		}
	}
	for _, present := range []string{"aws_iam_role_policy.user-alpha_user_tom-okafor <- alpha_user_tom-okafor:" + naming.UserPushPolicy,
		"aws_iam_role.push-new_feed-role <- export_new_feed-move"} {
		if !slices.Contains(imports(findings), present) {
			t.Errorf("does not import %s:\n  %s", present, strings.Join(imports(findings), "\n  "))
		}
	}
	assertSaid(t, "the things to do before the switch", findings.BeforeSwitch,
		"**The recipient of `court_hearings_feed` must grant a new role first.** Today `copy_court_hearings_feed` delivers as the role `arn:aws:iam::123456789012:role/service-role/copy_court_hearings_feed-role`",
		"ask the recipient to add it (s3:PutObject and s3:PutObjectAcl on `listing-service-landing-prod/court_hearings_feed/*`)",
		"starts `export_legacy_feed-move` for objects under `legacy_feed/*` (entry `legacy_feed-notification`), and no push dataset of ours has that prefix",
		"`alpha_user_sam-lee` may write under `mojap-hub-exports/legacy_feed/` today (policy `hub_exports`)",
		"Role `export_new_feed-move` is at the path `/`, and the stack's mover role is at `/service-role/`")
	assertSaid(t, "the unmanaged", findings.Unmanaged,
		"Function `copy_court_hearings_feed` delivers `court_hearings_feed` today",
		"Inline policy `hub-exports-pull-old_reports` on `alpha_user_gone` grants access to the pull dataset `old_reports`, and no dataset of ours gives `alpha_user_gone` that access",
		"Inline policy `hub_exports` on `alpha_user_tom-okafor` grants what `data-engineering-exports-push` grants too, and the stack adopts only one",
		"`aws iam delete-role-policy --role-name alpha_user_tom-okafor --policy-name hub_exports`",
		"Bucket `mojap-adjudications-insights` is versioned, and its dataset does not set `bucket_versioning`")
}

func putPolicy(ctx context.Context, t *testing.T, iamClient *iam.Client, role, name string) {
	t.Helper()
	if _, err := iamClient.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String(role), PolicyName: aws.String(name),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::mojap-hub-exports"}]}`),
	}); err != nil {
		t.Fatal(err)
	}
}

// TestDiscoverAnEmptyAccount: where nothing exists there is nothing to
// import, and a user whose role is missing is said before the switch.
func TestDiscoverAnEmptyAccount(t *testing.T) {
	estate := earliertool.Example()
	moto := motoserver.StartT(t)
	set := migrated(t, estate)
	// Buckets of other teams are none of ours.
	if _, err := s3.NewFromConfig(moto.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(t.Context(), &s3.CreateBucketInput{
		Bucket: aws.String("mojap-someone-else"), CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: motoserver.Region},
	}); err != nil {
		t.Fatal(err)
	}
	if err := moto.CreateRoles(t.Context(), estate.Users()[1:]...); err != nil {
		t.Fatal(err)
	}
	findings := discover(t, moto, set)
	if len(findings.Imports)+len(findings.Changes)+len(findings.Unmanaged) > 0 {
		t.Errorf("in an empty account: imports %v, changes %v, unmanaged %v", imports(findings), findings.Changes, findings.Unmanaged)
	}
	missing := estate.Users()[0]
	if want := "The role `" + missing + "` of a user in the dataset files does not exist"; len(findings.BeforeSwitch) != 1 || !strings.HasPrefix(findings.BeforeSwitch[0], want) {
		t.Errorf("before the switch %q, want only %q", findings.BeforeSwitch, want)
	}
}

// TestRunWritesTheImportsFile: what Discover finds is what the file holds.
func TestRunWritesTheImportsFile(t *testing.T) {
	estate := earliertool.Example()
	estate.Push, estate.Pull = estate.Push[:1], estate.Pull[2:]
	moto := account(t, estate)
	out := filepath.Join(t.TempDir(), naming.ImportsFile)
	report, err := adopt.Run(t.Context(), adopt.NewClients(moto.AWSConfig()), migrated(t, estate), out)
	if err != nil {
		t.Fatal(err)
	}
	written, err := adopt.ReadImports(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != len(report.Imports) || len(written) < 10 {
		t.Fatalf("%s holds %d entries, the report %d", out, len(written), len(report.Imports))
	}
	for i, e := range written {
		if e.To != report.Imports[i].To || e.ID != report.Imports[i].ID || e.Found != report.Imports[i].Found {
			t.Errorf("entry %d: file %+v, report %+v", i, e, report.Imports[i])
		}
	}
	markdown := report.Markdown()
	for _, want := range []string{"`adopt` wrote `" + out + "`: " + strconv.Itoa(len(written)) + " resources", "### Imported (", "### What the switch changes ("} {
		if !strings.Contains(markdown, want) {
			t.Errorf("report does not say %q:\n%s", want, markdown)
		}
	}
}
