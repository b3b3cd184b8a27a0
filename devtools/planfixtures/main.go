// Command planfixtures regenerates the plan-summary test fixtures from real
// Terraform plans: it starts moto_server, deploys a base set of datasets with
// the real stack, then for each scenario writes a changed datasets directory
// (and, for some, changes resources behind Terraform's back with the AWS
// SDK), synthesizes it and saves `terraform show -json` of its plan (volatile
// fields and unread sections stripped) as internal/plansummary/testdata/<scenario>.plan.json,
// with the scenario's dataset files beside it for the paperwork links.
//
// Run it from the repository root with `make plan-fixtures`, then
// `go test ./internal/plansummary -update` and review the golden diffs.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/internal/lambdazip"
	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/motoserver"
)

func main() {
	out := flag.String("out", "internal/plansummary/testdata", "directory for the fixtures")
	work := flag.String("work", "build/planfixtures", "scratch directory (emptied first)")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	if err := run(ctx, *out, *work); err != nil {
		fmt.Fprintf(os.Stderr, "planfixtures: %v\n", err)
		os.Exit(1)
	}
}

// users are the Analytical Platform roles the datasets name; they must exist
// before the stack can attach policies to them.
var users = []string{"alpha_user_analyst_one", "alpha_user_analyst_two", "alpha_user_analyst_three"}

// base is what is deployed before every scenario's plan.
func base() datasets.Set {
	return datasets.Set{
		Push: []datasets.Push{
			{
				Name: "court_listings_archive", Bucket: "cloud-platform-court-archive", BucketAccount: "754256621582",
				Users: []string{"alpha_user_analyst_two"}, KeepFiles: true,
				Paperwork: datasets.References{"https://paperwork.example.org/dpia/court-listings-archive"},
			},
			{
				Name: "performance_hub_daily", Bucket: "hmpps-performance-hub-landing", BucketAccount: "210987654321",
				Users:     []string{"alpha_user_analyst_one", "alpha_user_analyst_two"},
				Paperwork: datasets.References{"https://paperwork.example.org/dsa/performance-hub-daily"},
			},
		},
		Pull: []datasets.Pull{
			{
				Name:             "probation_caseload",
				PullARNs:         []string{"arn:aws:iam::754256621582:role/probation-caseload-reader"},
				Users:            []string{"alpha_user_analyst_one"},
				BucketVersioning: true,
				Paperwork:        datasets.References{"https://paperwork.example.org/dpia/probation-caseload"},
			},
			{
				Name: "tribunal_outcomes",
				PullARNs: []string{
					"arn:aws:iam::111122223333:role/tribunal-sync",
					"arn:aws:iam::754256621582:role/cp-tribunal-irsa",
				},
				Users:     []string{"alpha_user_analyst_three"},
				AllowPush: true,
				Paperwork: datasets.References{"https://paperwork.example.org/dsa/tribunal-outcomes"},
			},
		},
	}
}

// scenario is one change to the base datasets.
type scenario struct {
	name   string
	change func(*datasets.Set)
	// outside, when set, changes deployed resources behind Terraform's back
	// before the plan, as a person with the console or the AWS CLI would;
	// the base is applied again after the plan, putting them back.
	outside func(context.Context, aws.Config) error
}

// deployedFirst changes the base of the scenarios named, before their plan:
// those datasets are applied first, and stay deployed for the scenarios
// after (so these come last).
var deployedFirst = map[string]func(*datasets.Set){
	"remove_reader": addReaders,
}

var scenarios = []scenario{
	{"no_change", func(*datasets.Set) {}, nil},
	{"add_datasets", func(s *datasets.Set) {
		s.Push = append(s.Push, datasets.Push{
			Name: "prison_population_weekly", Bucket: "moj-prison-population-landing", BucketAccount: "754256621582",
			Users:     []string{"alpha_user_analyst_three"},
			Paperwork: datasets.References{"https://paperwork.example.org/dpia/prison-population-weekly"},
		})
		s.Pull = append(s.Pull, datasets.Pull{
			Name:      "youth_justice_referrals",
			PullARNs:  []string{"arn:aws:iam::754256621582:role/yjb-referrals-reader"},
			Users:     []string{"alpha_user_analyst_two"},
			Paperwork: datasets.References{"https://paperwork.example.org/dsa/youth-justice-referrals"},
		})
	}, nil},
	{"change_users", func(s *datasets.Set) {
		push(s, "performance_hub_daily").Users = []string{"alpha_user_analyst_one", "alpha_user_analyst_three"}
		pull(s, "probation_caseload").Users = []string{"alpha_user_analyst_two"}
	}, nil},
	{"change_recipient", func(s *datasets.Set) {
		push(s, "performance_hub_daily").Bucket = "hmpps-performance-hub-landing-v2"
	}, nil},
	// The same bucket name, owned by an account the estate never dealt with.
	{"change_recipient_account", func(s *datasets.Set) {
		push(s, "performance_hub_daily").BucketAccount = "555566667777"
	}, nil},
	{"add_outside_account", func(s *datasets.Set) {
		tribunal := pull(s, "tribunal_outcomes")
		tribunal.PullARNs = append(tribunal.PullARNs, "arn:aws:iam::444455556666:role/tribunal-analytics")
		probation := pull(s, "probation_caseload")
		probation.PullARNs = append(probation.PullARNs, "arn:aws:iam::754256621582:role/probation-dashboard")
	}, nil},
	{"change_flags", func(s *datasets.Set) {
		push(s, "performance_hub_daily").KeepFiles = true
		pull(s, "tribunal_outcomes").AllowPush = false
		pull(s, "probation_caseload").BucketVersioning = false
	}, nil},
	// Only a push dataset: removing a pull dataset fails the plan by design
	// (its bucket has prevent_destroy), so there is no plan to summarize;
	// the summary's rules for deleted buckets are tested on edited plans.
	{"remove_dataset", func(s *datasets.Set) {
		s.Push = slices.DeleteFunc(s.Push, func(p datasets.Push) bool { return p.Name == "court_listings_archive" })
	}, nil},
	// No dataset changes: everything the plan does puts back what was
	// changed outside Terraform.
	{"changed_outside", func(*datasets.Set) {}, changeOutsideTerraform},
	// Federated readers last: removing one needs them deployed.
	{"add_reader", addReaders, nil},
	{"remove_reader", func(s *datasets.Set) {
		addReaders(s)
		pull(s, "tribunal_outcomes").AzureReaders = nil
	}, nil},
}

// Hand edits of the changed_outside scenario.
const (
	// handGrantedReader is a reader someone added to tribunal_outcomes'
	// bucket policy by hand, in an account Terraform never granted.
	handGrantedReader = "arn:aws:iam::999988887777:role/tribunal-adhoc-analysis"
	// tlsStatement is the Sid of the pull bucket policy's statement that
	// refuses TLS older than 1.2, which the same edit dropped.
	tlsStatement = "DenyOutdatedTLS"
	// readStatement is the Sid of the statement that lets pull_arns read.
	readStatement = "PullARNsRead"
)

// changeOutsideTerraform edits tribunal_outcomes' bucket policy by hand (a
// reader added, the TLS 1.2 rule dropped) and deletes
// alpha_user_analyst_one's policy for probation_caseload.
func changeOutsideTerraform(ctx context.Context, cfg aws.Config) error {
	s3Client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := naming.PullBucket("tribunal_outcomes")
	current, err := s3Client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	if err != nil {
		return fmt.Errorf("get the policy of %s: %w", bucket, err)
	}
	edited, err := handEditedPolicy(aws.ToString(current.Policy))
	if err != nil {
		return fmt.Errorf("the policy of %s: %w", bucket, err)
	}
	if _, err := s3Client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(edited)}); err != nil {
		return fmt.Errorf("put the policy of %s: %w", bucket, err)
	}
	role, policy := "alpha_user_analyst_one", naming.UserPullPolicy("probation_caseload")
	if _, err := iam.NewFromConfig(cfg).DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(policy)}); err != nil {
		return fmt.Errorf("delete policy %s of %s: %w", policy, role, err)
	}
	return nil
}

// handEditedPolicy is a pull bucket policy with handGrantedReader added to
// its read statement and its TLS statement dropped.
func handEditedPolicy(policy string) (string, error) {
	var doc struct {
		Version   string           `json:"Version"`
		Statement []map[string]any `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return "", err
	}
	sid := func(want string) func(map[string]any) bool {
		return func(st map[string]any) bool { return st["Sid"] == want }
	}
	read := slices.IndexFunc(doc.Statement, sid(readStatement))
	if read < 0 || !slices.ContainsFunc(doc.Statement, sid(tlsStatement)) {
		return "", fmt.Errorf("no statement %s or %s to edit (has the stack renamed them?)", readStatement, tlsStatement)
	}
	doc.Statement[read]["Principal"] = map[string]any{"AWS": append(principalList(doc.Statement[read]["Principal"]), handGrantedReader)}
	doc.Statement = slices.DeleteFunc(doc.Statement, sid(tlsStatement))
	edited, err := json.Marshal(doc)
	return string(edited), err
}

// principalList is the AWS principals of a statement's Principal.
func principalList(p any) []any {
	principal, _ := p.(map[string]any)
	switch arns := principal["AWS"].(type) {
	case []any:
		return arns
	case string:
		return []any{arns}
	}
	return nil
}

// addReaders gives tribunal_outcomes (which allows push) a reader on Google
// Cloud and one on Azure.
func addReaders(s *datasets.Set) {
	tribunal := pull(s, "tribunal_outcomes")
	tribunal.GCPReaders = []federation.GCPReader{{ServiceAccountUniqueID: "118273645501928374650", ServiceAccountEmail: "tribunal-sync@moj-analysis.iam.gserviceaccount.com"}}
	tribunal.AzureReaders = []federation.AzureReader{{TenantID: "6b2d8f0a-1c3e-4a5b-8d7f-9e0a1b2c3d4e", ObjectID: "c4e6a8b0-2d4f-4618-9a3c-5e7f9b1d3f5a", ClientID: "8f1a3c5e-7b9d-4f2a-b4c6-d8e0f2a4c6e8"}}
}

func push(s *datasets.Set, name string) *datasets.Push {
	return &s.Push[slices.IndexFunc(s.Push, func(p datasets.Push) bool { return p.Name == name })]
}

func pull(s *datasets.Set, name string) *datasets.Pull {
	return &s.Pull[slices.IndexFunc(s.Pull, func(p datasets.Pull) bool { return p.Name == name })]
}

func run(ctx context.Context, out, work string) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return errors.New("run from the repository root (make plan-fixtures)")
	}
	work, out = absolute(root, work), absolute(root, out)
	if err := os.RemoveAll(work); err != nil {
		return err
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}

	step("building the program and the mover zip")
	program := filepath.Join(work, "exports")
	if err := command(ctx, root, nil, "go", "build", "-o", program, ".").Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}
	moverZip := filepath.Join(work, "mover.zip")
	if err := lambdazip.Build(ctx, root, "./functions/mover", moverZip); err != nil {
		return err
	}

	step("starting moto_server")
	moto, err := motoserver.Start(ctx, filepath.Join(work, "moto.log"))
	if err != nil {
		return err
	}
	defer moto.Stop()
	if err := moto.CreateRoles(ctx, users...); err != nil {
		return err
	}

	env := append(moto.Env(),
		"EXPORTS_STATE_PATH="+filepath.Join(work, "terraform.tfstate"),
		"MOVER_ZIP="+moverZip,
		"TF_CLOUD_ORGANIZATION=", "TF_WORKSPACE=",
		"TF_IN_AUTOMATION=1",
	)
	stack := func(name string, set datasets.Set) (string, []string, error) {
		datasetsDir := filepath.Join(work, name, "datasets")
		if err := writeDatasets(datasetsDir, set); err != nil {
			return "", nil, err
		}
		outdir := filepath.Join(work, name, "cdktf.out")
		scenarioEnv := append(slices.Clone(env), "DATASETS_DIR="+datasetsDir, "CDKTF_OUTDIR="+outdir)
		if err := command(ctx, root, scenarioEnv, program).Run(); err != nil {
			return "", nil, fmt.Errorf("%s: synth: %w", name, err)
		}
		stackDir := filepath.Join(outdir, "stacks", "exports")
		if err := command(ctx, stackDir, scenarioEnv, "terraform", "init", "-input=false", "-no-color").Run(); err != nil {
			return "", nil, fmt.Errorf("%s: terraform init: %w", name, err)
		}
		return stackDir, scenarioEnv, nil
	}

	step("deploying the base datasets (the provider waits for AWS consistency: minutes)")
	baseDir, baseEnv, err := stack("base", base())
	if err != nil {
		return err
	}
	if err := command(ctx, baseDir, baseEnv, "terraform", "apply", "-input=false", "-no-color", "-auto-approve").Run(); err != nil {
		return fmt.Errorf("base: terraform apply: %w", err)
	}

	volatile := map[string]string{moto.Endpoint: "http://moto", work: "/work", root: "/repo"}
	for _, sc := range scenarios {
		set := base()
		if deploy := deployedFirst[sc.name]; deploy != nil {
			step("deploying the datasets " + sc.name + " changes")
			deploy(&set)
			dir, deployedEnv, err := stack(sc.name+"_deployed", set)
			if err != nil {
				return err
			}
			if err := command(ctx, dir, deployedEnv, "terraform", "apply", "-input=false", "-no-color", "-auto-approve").Run(); err != nil {
				return fmt.Errorf("%s: terraform apply: %w", sc.name, err)
			}
			set = base()
		}
		step("planning " + sc.name)
		sc.change(&set)
		stackDir, scenarioEnv, err := stack(sc.name, set)
		if err != nil {
			return err
		}
		if sc.outside != nil {
			if err := sc.outside(ctx, moto.AWSConfig()); err != nil {
				return fmt.Errorf("%s: changing resources outside Terraform: %w", sc.name, err)
			}
		}
		if err := command(ctx, stackDir, scenarioEnv, "terraform", "plan", "-input=false", "-no-color", "-out=plan.tfplan").Run(); err != nil {
			return fmt.Errorf("%s: terraform plan: %w", sc.name, err)
		}
		show := command(ctx, stackDir, scenarioEnv, "terraform", "show", "-json", "plan.tfplan")
		show.Stdout = nil
		planJSON, err := show.Output()
		if err != nil {
			return fmt.Errorf("%s: terraform show: %w", sc.name, err)
		}
		stable, err := stabilize(planJSON, volatile)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		if err := os.WriteFile(filepath.Join(out, sc.name+".plan.json"), stable, 0o644); err != nil {
			return err
		}
		fixtureDatasets := filepath.Join(out, sc.name, "datasets")
		if err := os.RemoveAll(fixtureDatasets); err != nil {
			return err
		}
		if err := writeDatasets(fixtureDatasets, set); err != nil {
			return err
		}
		if sc.outside != nil {
			step("putting back what " + sc.name + " changed outside Terraform")
			if err := command(ctx, baseDir, baseEnv, "terraform", "apply", "-input=false", "-no-color", "-auto-approve").Run(); err != nil {
				return fmt.Errorf("%s: terraform apply of the base: %w", sc.name, err)
			}
		}
	}
	step("done: now run go test ./internal/plansummary -update and review the diff")
	return nil
}

func absolute(root, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(root, path)
}

func step(msg string) { fmt.Println("==> " + msg) }

// command runs name in dir with the environment extended by env, its output
// going to this program's.
func command(ctx context.Context, dir string, env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd
}

// writeDatasets writes one YAML file per dataset, as an analyst would.
func writeDatasets(dir string, set datasets.Set) error {
	write := func(kind datasets.Kind, name string, data []byte, err error) error {
		if err != nil {
			return err
		}
		path := filepath.Join(dir, string(kind), name+".yaml")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return os.WriteFile(path, data, 0o644)
	}
	for _, p := range set.Push {
		data, err := datasets.Encode(p)
		if err := write(datasets.KindPush, p.Name, data, err); err != nil {
			return err
		}
	}
	for _, p := range set.Pull {
		data, err := datasets.Encode(p)
		if err := write(datasets.KindPull, p.Name, data, err); err != nil {
			return err
		}
	}
	return nil
}

// volatileKeys hold values that differ from one run to the next (times,
// random ids the emulator makes up) or with the mover's code (its zip, whose
// hash also names the asset directory in filename).
var volatileKeys = map[string]bool{
	"filename":         true,
	"timestamp":        true,
	"create_date":      true,
	"last_modified":    true,
	"unique_id":        true,
	"revision_id":      true,
	"code_sha256":      true,
	"source_code_hash": true,
	"source_code_size": true,
}

// unreadSections are the parts of a JSON plan the summary never reads; they
// are dropped to keep the fixtures small (they would double their size).
var unreadSections = []string{"planned_values", "relevant_attributes"}

// stabilize rewrites a JSON plan so that regenerating it gives the same
// bytes: volatile values become "<volatile>", the emulator's endpoint and
// this machine's paths become placeholders, unread sections go, the
// configuration keeps only what the summary reads of it (see
// configuredAttributesOnly), and keys are sorted.
func stabilize(planJSON []byte, replacements map[string]string) ([]byte, error) {
	decoder := json.NewDecoder(bytes.NewReader(planJSON))
	decoder.UseNumber()
	var doc map[string]any
	if err := decoder.Decode(&doc); err != nil {
		return nil, fmt.Errorf("terraform show -json gave no JSON object: %w", err)
	}
	for _, section := range unreadSections {
		delete(doc, section)
	}
	doc["configuration"] = configuredAttributesOnly(doc["configuration"])
	// Longest first, so that a path inside another is replaced whole.
	olds := slices.SortedFunc(maps.Keys(replacements), func(a, b string) int { return len(b) - len(a) })
	var pattern strings.Builder
	for i, old := range olds {
		if i > 0 {
			pattern.WriteString("|")
		}
		pattern.WriteString(regexp.QuoteMeta(old))
	}
	volatilePaths := regexp.MustCompile(pattern.String())
	var walk func(v any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				if volatileKeys[k] && isValue(child) {
					v[k] = "<volatile>"
					continue
				}
				v[k] = walk(child)
			}
		case []any:
			for i, child := range v {
				v[i] = walk(child)
			}
		case string:
			return volatilePaths.ReplaceAllStringFunc(v, func(old string) string { return replacements[old] })
		}
		return v
	}
	var buf bytes.Buffer
	encoder := json.NewEncoder(&buf)
	encoder.SetIndent("", " ")
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(walk(doc)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// configuredAttributesOnly is a plan's configuration reduced to the root
// module's resources and, for each, the names of the attributes it sets
// (each expression emptied): which of a resource's attributes Terraform puts
// back when they are changed outside it.
func configuredAttributesOnly(configuration any) map[string]any {
	config, _ := configuration.(map[string]any)
	rootModule, _ := config["root_module"].(map[string]any)
	resources, _ := rootModule["resources"].([]any)
	kept := []any{}
	for _, r := range resources {
		resource, _ := r.(map[string]any)
		expressions, _ := resource["expressions"].(map[string]any)
		names := map[string]any{}
		for name := range expressions {
			names[name] = map[string]any{}
		}
		kept = append(kept, map[string]any{
			"address": resource["address"], "mode": resource["mode"], "type": resource["type"], "name": resource["name"],
			"expressions": names,
		})
	}
	return map[string]any{"root_module": map[string]any{"resources": kept}}
}

// isValue is true for a string or number: an attribute's value rather than
// the true that after_unknown uses to mark it.
func isValue(v any) bool {
	switch v.(type) {
	case string, json.Number:
		return true
	}
	return false
}
