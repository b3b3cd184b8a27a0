package migrate_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	yaml "sigs.k8s.io/yaml/goyaml.v3"

	"github.com/ministryofjustice/data-engineering-exports/constructs/pushexport"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/internal/lambdazip"
	"github.com/ministryofjustice/data-engineering-exports/internal/migrate"
	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/stacks"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/motoserver"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/synthtest"
)

func TestMain(m *testing.M) { synthtest.Main(m) }

// The earlier tool's names, as its user guide and its deployed estate show
// them, written out here rather than taken from naming, so that the test
// compares two independent accounts of every name.
func legacyMover(name string) string  { return "export_" + name + "-move" }
func legacyPrefix(name string) string { return name + "/" }
func legacyBucket(name string) string { return "mojap-" + strings.ReplaceAll(name, "_", "-") }

// legacyEstate is what the earlier tool deployed from a repository's files:
// the names it made, and who may do what.
type legacyEstate struct {
	movers, prefixes, buckets []string
	recipients                map[string]string   // mover -> recipient bucket
	readers                   map[string][]string // bucket -> pull_arns
	users                     []string            // every user, as written
}

func readLegacyEstate(t *testing.T, repository string) legacyEstate {
	t.Helper()
	estate := legacyEstate{recipients: map[string]string{}, readers: map[string][]string{}}
	for _, dir := range []string{migrate.LegacyPushDir, migrate.LegacyPullDir} {
		files, err := filepath.Glob(filepath.Join(repository, dir, "*.yaml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no files in %s: %v", dir, err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var fields struct {
				Name         string   `yaml:"name"`
				TargetBucket string   `yaml:"target_bucket"`
				PullARNs     []string `yaml:"pull_arns"`
				Users        []string `yaml:"users"`
			}
			if err := yaml.Unmarshal(data, &fields); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			estate.users = append(estate.users, fields.Users...)
			if dir == migrate.LegacyPushDir {
				mover := legacyMover(fields.Name)
				estate.movers = append(estate.movers, mover)
				estate.prefixes = append(estate.prefixes, legacyPrefix(fields.Name))
				estate.recipients[mover] = fields.TargetBucket
			} else {
				bucket := legacyBucket(fields.Name)
				estate.buckets = append(estate.buckets, bucket)
				estate.readers[bucket] = fields.PullARNs
			}
		}
	}
	return estate
}

// TestMigratedNamesAreDeployedNames migrates an estate holding the name
// quirks (hyphenated pull names, files named unlike their name field,
// upper-case users, target_bucket, one-item list flags, an ignored pull
// bucket field), synthesizes the migrated files with the real stack, and
// reads from the Terraform JSON that every bucket, mover role and function,
// export prefix, recipient, reader and user is the one the earlier tool
// deployed.
func TestMigratedNamesAreDeployedNames(t *testing.T) {
	const repository = "testdata/deployable"
	want := readLegacyEstate(t, repository)
	to := filepath.Join(t.TempDir(), naming.DatasetsDir)
	report, err := migrate.Run(migrate.Options{From: repository, To: to})
	if err != nil {
		t.Fatal(err)
	}
	decideAccounts(t, report)
	set, err := datasets.Load(to)
	if err != nil {
		t.Fatalf("the migrated files: %v", err)
	}
	tf := synthesize(t, *set)

	var roles, functions, buckets, prefixes []string
	recipients := map[string]string{}
	readers := map[string][]string{}
	for _, role := range tf.Resource["aws_iam_role"] {
		if role["path"] == naming.MoverRolePath {
			roles = append(roles, role["name"].(string))
		}
	}
	for _, function := range tf.Resource["aws_lambda_function"] {
		name := function["function_name"].(string)
		functions = append(functions, name)
		recipients[name] = function["environment"].(map[string]any)["variables"].(map[string]any)[naming.EnvDestinationBucket].(string)
	}
	bucketOf := map[string]string{} // logical id -> bucket name
	for id, bucket := range tf.Resource["aws_s3_bucket"] {
		if name := bucket["bucket"].(string); name != naming.ExportBucket && name != naming.AccessLogBucket {
			buckets = append(buckets, name)
			bucketOf[id] = name
		}
	}
	for _, notification := range tf.Resource["aws_s3_bucket_notification"] {
		for _, target := range notification["lambda_function"].([]any) {
			prefixes = append(prefixes, target.(map[string]any)["filter_prefix"].(string))
		}
	}
	for _, policy := range tf.Resource["aws_s3_bucket_policy"] {
		id := strings.TrimSuffix(strings.TrimPrefix(policy["bucket"].(string), "${aws_s3_bucket."), ".id}")
		bucket, isPull := bucketOf[id]
		if !isPull {
			continue
		}
		for _, statement := range synthtest.ParsePolicy(t, policy["policy"].(string)).Statement {
			if statement.Effect == "Allow" && len(statement.Principal["AWS"]) > 0 {
				readers[bucket] = statement.Principal["AWS"]
				break
			}
		}
	}
	var users []string
	for _, policy := range tf.Resource["aws_iam_role_policy"] {
		if role := policy["role"].(string); strings.HasPrefix(role, "alpha_user_") && !slices.Contains(users, role) {
			users = append(users, role)
		}
	}

	sameSet(t, "mover roles", roles, want.movers)
	sameSet(t, "mover functions", functions, want.movers)
	sameSet(t, "export prefixes", prefixes, want.prefixes)
	sameSet(t, "pull buckets", buckets, want.buckets)
	for mover, recipient := range want.recipients {
		if recipients[mover] != recipient {
			t.Errorf("%s moves to %q, want %q", mover, recipients[mover], recipient)
		}
	}
	for bucket, arns := range want.readers {
		sameSet(t, bucket+" readers", readers[bucket], arns)
	}
	// IAM role names do not depend on case: each user's policy goes on the
	// role the earlier tool wrote, in lower case.
	var wantUsers []string
	for _, user := range want.users {
		if lower := strings.ToLower(user); !slices.Contains(wantUsers, lower) {
			wantUsers = append(wantUsers, lower)
		}
	}
	sameSet(t, "user roles", users, wantUsers)
	if !slices.Contains(want.buckets, "mojap-cjs-dashboard") || !slices.Contains(want.buckets, "mojap-adjudications-insights") || !slices.Contains(want.movers, "export_prison_visits_weekly-move") {
		t.Fatalf("the estate lacks the hyphen and file-name cases: %v %v", want.buckets, want.movers)
	}
}

// TestMigratedFilesAreWrittenAsEncodeWrites: with their kept comments
// taken away, the migrated files are exactly what datasets.Encode writes
// for the datasets they load as: our field order and layout.
func TestMigratedFilesAreWrittenAsEncodeWrites(t *testing.T) {
	to := filepath.Join(t.TempDir(), naming.DatasetsDir)
	report, err := migrate.Run(migrate.Options{From: "testdata/deployable", To: to})
	if err != nil {
		t.Fatal(err)
	}
	decideAccounts(t, report)
	set, err := datasets.Load(to)
	if err != nil {
		t.Fatal(err)
	}
	compare := func(file string, encoded []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var uncommented []string
		for _, line := range strings.SplitAfter(string(data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			if value, _, commented := strings.Cut(line, " # "); commented {
				line = value + "\n"
			}
			uncommented = append(uncommented, line)
		}
		if got := strings.Join(uncommented, ""); got != string(encoded) {
			t.Errorf("%s, without comments:\n%s\nEncode writes:\n%s", file, got, encoded)
		}
	}
	for _, push := range set.Push {
		encoded, err := datasets.Encode(push)
		compare(push.File, encoded, err)
	}
	for _, pull := range set.Pull {
		encoded, err := datasets.Encode(pull)
		compare(pull.File, encoded, err)
	}
	if set.Len() != 5 {
		t.Errorf("%d datasets compared, want the estate's 5", set.Len())
	}
}

// decideAccounts takes the one decision every migrated push file waits
// for, as a person would once the recipient names the account: it writes
// bucket_account after the bucket. It fails the test on any other
// decision, or on a file not migrated.
func decideAccounts(t *testing.T, report *migrate.Report) {
	t.Helper()
	if report.Status() != migrate.DecisionsPending {
		t.Fatalf("status %v, want every file written, the push files waiting for their account:\n%s", report.Status(), report.Markdown())
	}
	for _, f := range report.Files {
		if f.Kind != naming.KindPull && (len(f.Decisions) != 1 || f.Decisions[0].Problem.Field != "bucket_account") ||
			f.Kind == naming.KindPull && len(f.Decisions) != 0 {
			t.Fatalf("%s: decisions %+v, want bucket_account alone on a push file and none on a pull file", f.Source, f.Decisions)
		}
		if f.Kind == naming.KindPull {
			continue
		}
		data, err := os.ReadFile(f.Target)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(string(data), "\n")
		i := slices.IndexFunc(lines, func(line string) bool { return strings.HasPrefix(line, "bucket:") })
		if i < 0 {
			t.Fatalf("%s has no bucket line:\n%s", f.Target, data)
		}
		decided := slices.Insert(lines, i+1, `bucket_account: "`+motoserver.AccountID+"\"\n")
		if err := os.WriteFile(f.Target, []byte(strings.Join(decided, "")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type terraformJSON struct {
	Resource map[string]map[string]map[string]any `json:"resource"`
	Data     map[string]map[string]map[string]any `json:"data"`
}

// synthesize synthesizes the exports stack of set, with a stand-in for the
// mover's zip, and reads its Terraform JSON.
func synthesize(t *testing.T, set datasets.Set) terraformJSON {
	t.Helper()
	dir := t.TempDir()
	standIn := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(standIn, []byte("stand-in for the mover"), 0o755); err != nil {
		t.Fatal(err)
	}
	zip, err := lambdazip.Zip(standIn)
	if err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(dir, "mover.zip")
	if err := os.WriteFile(zipPath, zip, 0o644); err != nil {
		t.Fatal(err)
	}
	outdir := filepath.Join(dir, "cdktf.out")
	stacks.Synth(outdir, stacks.Config{
		Datasets:     set,
		Region:       stacks.DefaultRegion,
		Backend:      stacks.Backend{LocalPath: "terraform.tfstate"},
		MoverZip:     zipPath,
		MoverZipHash: pushexport.SourceCodeHash(zip),
	})
	data, err := os.ReadFile(filepath.Join(outdir, "stacks", stacks.ID, "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tf terraformJSON
	if err := json.Unmarshal(data, &tf); err != nil {
		t.Fatal(err)
	}
	return tf
}

func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	got, want = slices.Clone(got), slices.Clone(want)
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: synthesized %q, the earlier tool deployed %q", what, got, want)
	}
}
