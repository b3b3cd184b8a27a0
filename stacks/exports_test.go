package stacks_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/constructs/pushexport"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/internal/lambdazip"
	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/stacks"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/synthtest"
)

func TestMain(m *testing.M) { synthtest.Main(m) }

var update = flag.Bool("update", false, "rewrite "+goldenPath+" from the example datasets")

const (
	goldenPath = "testdata/exports.tf.json"
	// standIn is zipped to stand in for the mover, so that the golden JSON
	// changes with the constructs, not with the mover's code.
	standIn = "testdata/stand-in-bootstrap"
	// defaultStatePath is the backend path `go run .` writes from the
	// repository root with the default outdir and state file (see the
	// commands package's tests).
	defaultStatePath = "../../../terraform.tfstate.d/exports.tfstate"
)

// exampleConfig is the stack configuration `go run .` uses for the example
// datasets, with the stand-in mover.
func exampleConfig(t *testing.T) stacks.Config {
	t.Helper()
	set, err := datasets.Load(filepath.Join("..", naming.ExamplesDir))
	if err != nil {
		t.Fatalf("example datasets: %v", err)
	}
	return configFor(t, *set)
}

// configFor is the stack configuration `go run .` uses for set, with the
// stand-in mover.
func configFor(t *testing.T, set datasets.Set) stacks.Config {
	t.Helper()
	zip, err := lambdazip.Zip(standIn)
	if err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(t.TempDir(), "mover.zip")
	if err := os.WriteFile(zipPath, zip, 0o644); err != nil {
		t.Fatal(err)
	}
	return stacks.Config{
		Datasets:     set,
		Region:       stacks.DefaultRegion,
		Backend:      stacks.Backend{LocalPath: defaultStatePath},
		MoverZip:     zipPath,
		MoverZipHash: pushexport.SourceCodeHash(zip),
	}
}

// synth synthesizes config into a new directory and returns it.
func synth(t *testing.T, config stacks.Config) string {
	t.Helper()
	outdir := t.TempDir()
	if err := stacks.Synth(outdir, config); err != nil {
		t.Fatal(err)
	}
	return outdir
}

func stackJSON(t *testing.T, outdir string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(outdir, "stacks", stacks.ID, "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type terraformJSON struct {
	Terraform map[string]any                       `json:"terraform"`
	Provider  map[string][]map[string]any          `json:"provider"`
	Resource  map[string]map[string]map[string]any `json:"resource"`
	Data      map[string]map[string]map[string]any `json:"data"`
	Output    map[string]map[string]any            `json:"output"`
	Check     map[string]map[string]any            `json:"check"`
	Import    []map[string]string                  `json:"import"`
}

func parse(t *testing.T, data []byte) terraformJSON {
	t.Helper()
	var tf terraformJSON
	if err := json.Unmarshal(data, &tf); err != nil {
		t.Fatal(err)
	}
	return tf
}

// TestGolden compares the Terraform JSON of the example datasets with the
// reviewed copy in testdata. After an intended change, run
// `go test ./stacks -run TestGolden -update` and review the diff.
func TestGolden(t *testing.T) {
	got := stackJSON(t, synth(t, exampleConfig(t)))
	if *update {
		if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("%v: run go test ./stacks -run TestGolden -update", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("synthesized JSON differs from %s: if the change is intended, run go test ./stacks -run TestGolden -update and review the diff", goldenPath)
	}
}

// TestReproducible synthesizes twice: every file, the asset included, must
// be the same byte for byte.
func TestReproducible(t *testing.T) {
	config := exampleConfig(t)
	first, second := tree(t, synth(t, config)), tree(t, synth(t, config))
	if len(first) == 0 {
		t.Fatal("nothing synthesized")
	}
	for name, data := range first {
		if !bytes.Equal(data, second[name]) {
			t.Errorf("%s differs between two syntheses", name)
		}
	}
	for name := range second {
		if _, ok := first[name]; !ok {
			t.Errorf("%s only in the second synthesis", name)
		}
	}
	zip, _ := lambdazip.Zip(standIn)
	assets := 0
	for name, data := range first {
		if filepath.Ext(name) == ".zip" {
			assets++
			if !bytes.Equal(data, zip) {
				t.Errorf("asset %s is not the mover zip", name)
			}
		}
	}
	if assets != 1 {
		t.Errorf("%d zip assets, want one shared by every mover", assets)
	}
}

func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestResourcesPerDataset keeps the count of resources honest: each one
// costs plan and apply time on every deploy.
func TestResourcesPerDataset(t *testing.T) {
	tf := parse(t, stackJSON(t, synth(t, exampleConfig(t))))
	counts := map[string]int{}
	for _, byID := range tf.Resource {
		for id := range byID {
			switch {
			case strings.HasPrefix(id, "push-performance_hub_daily-"):
				counts["push"]++
			case strings.HasPrefix(id, "pull-tribunal_outcomes-bucket"):
				counts["pull allow_push"]++
			case strings.HasPrefix(id, "pull-probation_caseload-bucket"):
				counts["pull versioned"]++
			case strings.HasPrefix(id, "pull-probation_caseload-reader_"):
				counts["federated readers"]++
			case strings.HasPrefix(id, "shared-"):
				counts["shared"]++
			}
		}
	}
	// A pull bucket: bucket, public access block, encryption, ownership,
	// versioning (allow_push or bucket_versioning), policy, lifecycle,
	// logging. Shared: the export bucket's 7 (no versioning), the log
	// bucket's 6 (no versioning, no logging), the queue, the alarm, the
	// notification, and one OIDC provider per Azure tenant. Each federated
	// reader is one role.
	want := map[string]int{"push": 8, "pull allow_push": 8, "pull versioned": 8, "federated readers": 2, "shared": 17}
	for kind, n := range want {
		if counts[kind] != n {
			t.Errorf("%s: %d resources, want %d", kind, counts[kind], n)
		}
	}
	if n := len(tf.Data["aws_iam_roles"]); n != 1 || len(tf.Data["aws_iam_role"]) != 0 {
		t.Errorf("%d lookups of all user roles and %d of one role, want one of all", n, len(tf.Data["aws_iam_role"]))
	}
	if n := len(tf.Check); n != 3 {
		t.Errorf("%d checks, want 3 (a departed-user warning per distinct user)", n)
	}
}

// TestEveryBucketIsLoggedAndCleaned: every bucket of the stack has one
// lifecycle configuration, and every bucket but the log bucket sends its
// access logs there under its own prefix, with a grant in the log bucket's
// policy for exactly those buckets. A bucket added to the stack without
// them fails here.
func TestEveryBucketIsLoggedAndCleaned(t *testing.T) {
	config := exampleConfig(t)
	tf := parse(t, stackJSON(t, synth(t, config)))
	buckets := map[string]string{} // "${aws_s3_bucket.<id>.id}" -> bucket name
	for id, bucket := range tf.Resource["aws_s3_bucket"] {
		buckets["${aws_s3_bucket."+id+".id}"] = bucket["bucket"].(string)
	}
	lifecycles := map[string]int{}
	for _, lifecycle := range tf.Resource["aws_s3_bucket_lifecycle_configuration"] {
		lifecycles[buckets[lifecycle["bucket"].(string)]]++
	}
	logged := map[string]string{}
	for id, logging := range tf.Resource["aws_s3_bucket_logging"] {
		name := buckets[logging["bucket"].(string)]
		if logging["target_bucket"] != naming.AccessLogBucket || logging["target_prefix"] != naming.AccessLogPrefix(name) {
			t.Errorf("%s: %s logs to %v under %v", id, name, logging["target_bucket"], logging["target_prefix"])
		}
		logged[name] = id
	}
	var sources []string
	for _, name := range buckets {
		if lifecycles[name] != 1 {
			t.Errorf("bucket %s has %d lifecycle configurations, want 1", name, lifecycles[name])
		}
		if _, ok := logged[name]; ok == (name == naming.AccessLogBucket) {
			t.Errorf("bucket %s: logged %v; every bucket but the log bucket must be", name, ok)
		}
		if name != naming.AccessLogBucket {
			sources = append(sources, name)
		}
	}
	slices.Sort(sources)
	if len(sources) != 1+len(config.Datasets.Pull) {
		t.Errorf("logged buckets %v: want the export bucket and one per pull dataset", sources)
	}

	var policy struct {
		Statement []struct {
			Principal map[string]any
			Condition map[string]map[string][]string
		}
	}
	if err := json.Unmarshal([]byte(tf.Resource["aws_s3_bucket_policy"]["shared-access_log_bucket_policy"]["policy"].(string)), &policy); err != nil {
		t.Fatal(err)
	}
	var granted []string
	for _, st := range policy.Statement {
		if st.Principal["Service"] == "logging.s3.amazonaws.com" {
			for _, arn := range st.Condition["ArnEquals"]["aws:SourceArn"] {
				granted = append(granted, strings.TrimPrefix(arn, "arn:aws:s3:::"))
			}
		}
	}
	slices.Sort(granted)
	if !slices.Equal(granted, sources) {
		t.Errorf("the log bucket lets S3 deliver the logs of %v; the buckets that log there are %v", granted, sources)
	}
}

func TestProviderAndBackend(t *testing.T) {
	config := exampleConfig(t)
	tf := parse(t, stackJSON(t, synth(t, config)))
	aws := tf.Provider["aws"][0]
	if aws["region"] != "eu-west-1" || aws["endpoints"] != nil || aws["s3_use_path_style"] != nil {
		t.Errorf("provider for AWS = %v", aws)
	}
	tags := aws["default_tags"].([]any)[0].(map[string]any)["tags"].(map[string]any)
	for _, key := range []string{"business-unit", "application", "owner", "environment-name", "is-production"} {
		if tags[key] == nil || tags[key] == "" {
			t.Errorf("default tag %s missing", key)
		}
	}
	requirement := tf.Terraform["required_providers"].(map[string]any)["aws"].(map[string]any)
	if requirement["version"] != "~> 5.100" {
		t.Errorf("aws provider requirement = %v, want a ~> 5.x range", requirement["version"])
	}
	if got := tf.Terraform["backend"]; !jsonEqual(got, map[string]any{"local": map[string]any{"path": defaultStatePath}}) {
		t.Errorf("backend = %v", got)
	}
	for _, name := range []string{"mover_role_arns", "pull_bucket_names", "failed_moves_queue_url"} {
		if tf.Output[name] == nil {
			t.Errorf("no output %s", name)
		}
	}

	config.Endpoint = "http://127.0.0.1:5000"
	config.Region = "eu-west-2"
	config.Backend = stacks.Backend{CloudOrganization: "ministryofjustice", CloudWorkspace: "data-engineering-exports"}
	tf = parse(t, stackJSON(t, synth(t, config)))
	aws = tf.Provider["aws"][0]
	endpoints := aws["endpoints"].([]any)[0].(map[string]any)
	for _, service := range []string{"cloudwatch", "iam", "lambda", "logs", "s3", "sqs", "sts"} {
		if endpoints[service] != config.Endpoint {
			t.Errorf("endpoint for %s = %v", service, endpoints[service])
		}
	}
	// Every resource and data source goes to the emulator, none to AWS.
	for kind, byType := range map[string]map[string]map[string]map[string]any{"resource": tf.Resource, "data source": tf.Data} {
		for terraformType := range byType {
			endpoint, listed := stacks.EndpointFor(terraformType)
			if !listed {
				t.Errorf("%s type %s: no endpoint in stacks.serviceEndpoints, so with an emulator the provider would call AWS for it; add its service", kind, terraformType)
			} else if endpoints[endpoint] != config.Endpoint {
				t.Errorf("%s type %s: endpoint %s = %v, want the emulator", kind, terraformType, endpoint, endpoints[endpoint])
			}
		}
	}
	for _, flag := range []string{"s3_use_path_style", "skip_credentials_validation", "skip_region_validation"} {
		if aws[flag] != true {
			t.Errorf("%s = %v with an emulator", flag, aws[flag])
		}
	}
	if aws["region"] != "eu-west-2" || aws["access_key"] != nil || aws["secret_key"] != nil {
		t.Errorf("provider = %v", aws)
	}
	if _, local := tf.Terraform["backend"]; local {
		t.Error("a local backend as well as Terraform Cloud")
	}
	cloud := map[string]any{"organization": "ministryofjustice", "workspaces": map[string]any{"name": "data-engineering-exports"}}
	if got := tf.Terraform["cloud"]; !jsonEqual(got, cloud) {
		t.Errorf("cloud = %v, want %v", got, cloud)
	}
}

// TestEndpointForRefusesUnlistedServices: a type of a service the stack does
// not use yet has no endpoint, so adding one fails TestProviderAndBackend
// until serviceEndpoints lists it.
func TestEndpointForRefusesUnlistedServices(t *testing.T) {
	for terraformType, want := range map[string]string{
		"aws_cloudwatch_metric_alarm":            "cloudwatch",
		"aws_cloudwatch_log_group":               "logs",
		"aws_cloudwatch_log_subscription_filter": "logs",
		"aws_caller_identity":                    "sts",
		"aws_s3_bucket_notification":             "s3",
		"aws_sns_topic":                          "",
		"aws_kms_key":                            "",
		"aws_cloudwatch_event_rule":              "",
		"aws_s3control_access_point_policy":      "",
	} {
		if got, listed := stacks.EndpointFor(terraformType); got != want || listed != (want != "") {
			t.Errorf("EndpointFor(%s) = %q, %v; want %q", terraformType, got, listed, want)
		}
	}
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}
