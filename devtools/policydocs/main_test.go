package main

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// goldenStack is the synthesized stack of the example datasets, kept current
// by the stacks package's golden test.
const goldenStack = "../../stacks/testdata/exports.tf.json"

func TestWritesEveryPolicyDocumentOfTheStack(t *testing.T) {
	out := filepath.Join(t.TempDir(), "policies")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-out", out, goldenStack}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}

	// Two movers (role trust and inline policy), two federated readers
	// (role trust), two push users, two pull users and four buckets (two
	// pull buckets, the export bucket, the log bucket).
	want := []string{
		"aws_iam_role.pull-probation_caseload-reader_aa26ba5c.assume_role_policy.json",
		"aws_iam_role.pull-probation_caseload-reader_c86de865.assume_role_policy.json",
		"aws_iam_role.push-court_listings_archive-role.assume_role_policy.json",
		"aws_iam_role.push-performance_hub_daily-role.assume_role_policy.json",
		"aws_iam_role_policy.pull-probation_caseload-user-alpha_user_analyst_one.policy.json",
		"aws_iam_role_policy.pull-tribunal_outcomes-user-alpha_user_analyst_three.policy.json",
		"aws_iam_role_policy.push-court_listings_archive-role_policy.policy.json",
		"aws_iam_role_policy.push-performance_hub_daily-role_policy.policy.json",
		"aws_iam_role_policy.user-alpha_user_analyst_one.policy.json",
		"aws_iam_role_policy.user-alpha_user_analyst_two.policy.json",
		"aws_s3_bucket_policy.pull-probation_caseload-bucket_policy.policy.json",
		"aws_s3_bucket_policy.pull-tribunal_outcomes-bucket_policy.policy.json",
		"aws_s3_bucket_policy.shared-access_log_bucket_policy.policy.json",
		"aws_s3_bucket_policy.shared-export_bucket_policy.policy.json",
	}
	if got := fileNames(t, out); !slices.Equal(got, want) {
		t.Errorf("files:\n got %q\nwant %q", got, want)
	}
	for _, name := range want {
		text := readFile(t, filepath.Join(out, name))
		var doc struct {
			Version   string
			Statement []json.RawMessage
		}
		if err := json.Unmarshal([]byte(text), &doc); err != nil || doc.Version != "2012-10-17" || len(doc.Statement) == 0 {
			t.Errorf("%s is not a policy document (%v):\n%s", name, err, text)
		}
		if !strings.Contains(text, "\n  \"Statement\": [\n    {") {
			t.Errorf("%s is not pretty-printed:\n%s", name, text)
		}
		if strings.Contains(text, "${") {
			t.Errorf("%s still holds an interpolation:\n%s", name, text)
		}
	}
	if !strings.Contains(stdout.String(), "wrote 14 policy documents") {
		t.Errorf("stdout = %q", stdout.String())
	}
}

func TestInterpolationsBecomeARNsOfTheirResources(t *testing.T) {
	out := filepath.Join(t.TempDir(), "policies")
	if code := run([]string{"-out", out, goldenStack}, new(bytes.Buffer), new(bytes.Buffer)); code != 0 {
		t.Fatalf("exit %d", code)
	}
	const file = "aws_iam_role_policy.push-court_listings_archive-role_policy.policy.json"
	got := readFile(t, filepath.Join(out, file))

	for _, arn := range []string{
		// ${aws_cloudwatch_log_group.push-court_listings_archive-log_group.arn}:log-stream:*
		`"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/export_court_listings_archive-move:log-stream:*"`,
		// ${aws_sqs_queue.shared-failed_moves_queue.arn}
		`"arn:aws:sqs:eu-west-1:123456789012:mojap-hub-exports-failed-moves"`,
	} {
		if !strings.Contains(got, arn) {
			t.Errorf("%s lacks %s:\n%s", file, arn, got)
		}
	}

	// The document keeps its own order: parliament reports lines, and a
	// reader compares the file with the stack.
	source := sourcePolicy(t, "aws_iam_role_policy", "push-court_listings_archive-role_policy")
	sid := regexp.MustCompile(`"Sid":\s*"([^"]+)"`)
	if gotSids, wantSids := sid.FindAllStringSubmatch(got, -1), sid.FindAllStringSubmatch(source, -1); len(wantSids) == 0 || !slices.EqualFunc(gotSids, wantSids, func(a, b []string) bool { return a[1] == b[1] }) {
		t.Errorf("statement order changed:\n got %q\nwant %q", gotSids, wantSids)
	}
}

func TestExtract(t *testing.T) {
	tests := []struct {
		name string
		// resources is the stack's "resource" object.
		resources string
		// provider is the stack's "provider" object; empty for none.
		provider string
		want     map[string]string // file -> a fragment of its document
	}{
		{
			name:      "an IAM policy variable written $${...} stays a variable",
			resources: `{"aws_iam_policy": {"p": {"policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/$${aws:username}/*\"}]}"}}}`,
			want:      map[string]string{"aws_iam_policy.p.policy.json": `"arn:aws:s3:::b/${aws:username}/*"`},
		},
		{
			name: "a role ARN has the role's path and name",
			resources: `{
				"aws_iam_role": {"r": {"name": "export_x-move", "path": "/service-role/"}},
				"aws_s3_bucket_policy": {"b": {"policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"${aws_iam_role.r.arn}\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}"}}}`,
			want: map[string]string{"aws_s3_bucket_policy.b.policy.json": `"arn:aws:iam::123456789012:role/service-role/export_x-move"`},
		},
		{
			name: "a bucket's ARN and id are its name; a computed name becomes the logical name",
			resources: `{
				"aws_s3_bucket": {"named": {"bucket": "mojap-named"}, "computed": {"bucket_prefix": "mojap-"}},
				"aws_iam_role_policy": {"p": {"policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":[\"${aws_s3_bucket.named.arn}/*\",\"arn:aws:s3:::${aws_s3_bucket.named.id}/x\",\"${aws_s3_bucket.computed.arn}/*\"]}]}"}}}`,
			want: map[string]string{"aws_iam_role_policy.p.policy.json": `"arn:aws:s3:::mojap-named/*",
        "arn:aws:s3:::mojap-named/x",
        "arn:aws:s3:::computed/*"`},
		},
		{
			name:      "the account comes from data.aws_caller_identity; the region from the provider",
			provider:  `{"aws": [{"region": "eu-west-2"}]}`,
			resources: `{"aws_sqs_queue": {"q": {"name": "queue"}}, "aws_s3_bucket_policy": {"b": {"policy": "{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b\",\"Condition\":{\"StringNotEquals\":{\"aws:SourceAccount\":\"${data.aws_caller_identity.me.account_id}\",\"aws:SourceArn\":\"${aws_sqs_queue.q.arn}\"}}}]}"}}}`,
			want: map[string]string{"aws_s3_bucket_policy.b.policy.json": `"aws:SourceAccount": "123456789012",
          "aws:SourceArn": "arn:aws:sqs:eu-west-2:123456789012:queue"`},
		},
		{
			name:      "a policy nested in a block is found, and named by its path",
			resources: `{"aws_iam_role": {"r": {"name": "r", "inline_policy": [{"name": "inline", "policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:SendMessage\",\"Resource\":\"${aws_sqs_queue.q.arn}\"}]}"}]}}}`,
			want:      map[string]string{"aws_iam_role.r.inline_policy.0.policy.json": `"arn:aws:sqs:eu-west-1:123456789012:q"`},
		},
		{
			name: "settings that only look like policies are no documents",
			resources: `{
				"aws_lb_listener": {"l": {"ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}},
				"aws_sqs_queue": {"q": {"redrive_policy": "{\"deadLetterTargetArn\":\"arn:aws:sqs:eu-west-1:123456789012:dlq\",\"maxReceiveCount\":3}"}}}`,
			want: map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := extract(stackJSON(tt.provider, tt.resources))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, d := range docs {
				got[d.File] = string(d.JSON)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("documents %q, want %d", slices.Sorted(maps.Keys(got)), len(tt.want))
			}
			for file, fragment := range tt.want {
				if !strings.Contains(got[file], fragment) {
					t.Errorf("%s lacks\n%s\nin\n%s", file, fragment, got[file])
				}
			}
		})
	}
}

func TestExtractRefusesWhatNoLinterCouldRead(t *testing.T) {
	tests := []struct {
		name      string
		resources string
		// want are fragments of the error: where, what and the fix.
		want []string
	}{
		{
			name:      "a reference to a resource type it cannot shape",
			resources: `{"aws_iam_role_policy": {"p": {"policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:Decrypt\",\"Resource\":\"${aws_kms_key.k.arn}\"}]}"}}}`,
			want:      []string{"aws_iam_role_policy.p", "policy", "${aws_kms_key.k.arn}", "add it to shapes in devtools/policydocs"},
		},
		{
			name:      "an attribute it cannot shape",
			resources: `{"aws_iam_role_policy": {"p": {"policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:SendMessage\",\"Resource\":\"${aws_sqs_queue.q.url}\"}]}"}}}`,
			want:      []string{"aws_iam_role_policy.p", "${aws_sqs_queue.q.url}", "only the arn, id and name of aws_sqs_queue"},
		},
		{
			name:      "a policy computed at apply time",
			resources: `{"aws_iam_role_policy": {"p": {"policy": "${data.aws_iam_policy_document.d.json}"}}}`,
			want:      []string{"aws_iam_role_policy.p", "policy", "computed at apply time", "write the policy document into the stack as literal JSON"},
		},
		{
			name:      "a document that is not JSON",
			resources: `{"aws_s3_bucket_policy": {"b": {"policy": "{\"Statement\": [}"}}}`,
			want:      []string{"aws_s3_bucket_policy.b", "policy", "not a JSON object"},
		},
		{
			name:      "a resource name that is no Terraform identifier",
			resources: `{"aws_iam_policy": {"../escape": {"policy": "{\"Statement\":[]}"}}}`,
			want:      []string{`"../escape"`, "not a Terraform identifier"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := extract(stackJSON("", tt.resources))
			if err == nil {
				t.Fatal("no error")
			}
			for _, fragment := range tt.want {
				if !strings.Contains(err.Error(), fragment) {
					t.Errorf("error %q lacks %q", err, fragment)
				}
			}
		})
	}
}

func TestRunRefusesBadArgumentsAndAnOutDirWithOldDocuments(t *testing.T) {
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "aws_iam_policy.old.policy.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"no stack", []string{"-out", t.TempDir()}, 2, "usage: policydocs"},
		{"no -out", []string{goldenStack}, 2, "usage: policydocs"},
		{"a stack that does not exist", []string{"-out", filepath.Join(t.TempDir(), "o"), "missing.tf.json"}, 1, "missing.tf.json"},
		{"an out dir that holds documents", []string{"-out", full, goldenStack}, 1, full + " is not empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := run(tt.args, new(bytes.Buffer), &stderr); code != tt.wantCode {
				t.Errorf("exit %d, want %d (%s)", code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.want)
			}
		})
	}
}

func stackJSON(provider, resources string) []byte {
	if provider == "" {
		provider = "{}"
	}
	return []byte(`{"provider": ` + provider + `, "resource": ` + resources + `}`)
}

func sourcePolicy(t *testing.T, typ, name string) string {
	t.Helper()
	var s stack
	if err := json.Unmarshal([]byte(readFile(t, goldenStack)), &s); err != nil {
		t.Fatal(err)
	}
	policy, _ := s.Resource[typ][name]["policy"].(string)
	return policy
}

func fileNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
