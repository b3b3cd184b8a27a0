package datasets

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Base files that follow every rule; cases change one field of them.
var baseFields = map[Kind][]string{
	KindPush: {
		"name: new_project",
		"bucket: recipient-landing",
		`bucket_account: "111122223333"`,
		"users:\n  - alpha_user_jo\n  - alpha_user_sam-smith",
		"paperwork: https://example.justice.gov.uk/dpia/new-project",
	},
	KindPull: {
		"name: new_project",
		"pull_arns:\n  - arn:aws:iam::754256621582:role/new-project-reader",
		"users:\n  - alpha_user_jo",
		"paperwork: https://example.justice.gov.uk/dpia/new-project",
	},
}

// file is a base file of kind with changes: "field: value" replaces the
// field's line (or is added), "-field" removes it.
func file(kind Kind, changes ...string) string {
	lines := append([]string(nil), baseFields[kind]...)
	for _, change := range changes {
		if field, ok := strings.CutPrefix(change, "-"); ok {
			for i, line := range lines {
				if strings.HasPrefix(line, field+":") {
					lines = append(lines[:i], lines[i+1:]...)
					break
				}
			}
			continue
		}
		field, _, _ := strings.Cut(change, ":")
		replaced := false
		for i, line := range lines {
			if strings.HasPrefix(line, field+":") {
				lines[i], replaced = change, true
				break
			}
		}
		if !replaced {
			lines = append(lines, change)
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// writeDataset writes content as dir/<kind>/<fileName> and returns its path.
func writeDataset(t testing.TB, dir string, kind Kind, fileName, content string) string {
	t.Helper()
	path := filepath.Join(dir, string(kind), fileName)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// problemsOf is Load's problems, failing the test if err is anything else.
func problemsOf(t *testing.T, err error) Problems {
	t.Helper()
	if err == nil {
		return nil
	}
	var problems Problems
	if !errors.As(err, &problems) {
		t.Fatalf("Load returned %T (%v), want Problems", err, err)
	}
	return problems
}

// assertProblems checks got against want: the same files and fields in the
// same order, each message holding want's message.
func assertProblems(t *testing.T, got Problems, want []Problem) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].File != w.File || got[i].Field != w.Field || got[i].Message == "" || !strings.Contains(got[i].Message, w.Message) {
			t.Errorf("problem %d:\ngot  %s\nwant %s", i, got[i], w)
		}
	}
}

type fileCase struct {
	name    string
	kind    Kind
	file    string // file name in the kind's directory; default new_project.yaml
	content string
	// field and message are the one expected problem ("" for a valid file):
	// its Field, and a fragment of its Message.
	field   string
	message string
}

func runFileCases(t *testing.T, cases []fileCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(string(tc.kind)+"/"+tc.name, func(t *testing.T) {
			dir := t.TempDir()
			fileName := tc.file
			if fileName == "" {
				fileName = "new_project.yaml"
			}
			path := writeDataset(t, dir, tc.kind, fileName, tc.content)
			set, err := Load(dir)
			problems := problemsOf(t, err)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("want a valid file, got:\n%v", err)
				}
				if set.Len() != 1 {
					t.Fatalf("want 1 dataset, got %d", set.Len())
				}
				return
			}
			if len(problems) != 1 {
				t.Fatalf("want one problem with %s, got %d:\n%v", tc.field, len(problems), err)
			}
			p := problems[0]
			if p.File != path || p.Field != tc.field || !strings.Contains(p.Message, tc.message) {
				t.Fatalf("got  %s\nwant %s: %s: ...%s...", p, path, tc.field, tc.message)
			}
			if !strings.HasPrefix(p.String(), path+": "+tc.field+": ") {
				t.Fatalf("String() = %q does not name the file and field", p.String())
			}
		})
	}
}

func TestFileStructure(t *testing.T) {
	runFileCases(t, []fileCase{
		{name: "valid push", kind: KindPush, content: file(KindPush)},
		{name: "valid pull", kind: KindPull, content: file(KindPull)},
		{name: "comments and flow lists", kind: KindPull, content: "# reader: CP\n" + file(KindPull, "users: [alpha_user_jo, alpha_user_kim]")},
		{name: "empty", kind: KindPush, content: "", field: FileField, message: "is empty: write the dataset's fields, starting with name: new_project"},
		{name: "only comments", kind: KindPull, content: "# todo\n", field: FileField, message: "is empty"},
		{name: "null document", kind: KindPull, content: "~\n", field: FileField, message: "is empty"},
		{name: "tab indentation", kind: KindPush, content: "name: new_project\nusers:\n\t- alpha_user_jo\n", field: FileField, message: "line 3 is indented with a tab"},
		{name: "a list", kind: KindPush, content: "- name: new_project\n- bucket: x\n", field: FileField, message: "is a list, but a dataset file is a set of fields"},
		{name: "a scalar", kind: KindPull, content: "new_project\n", field: FileField, message: `is the single value "new_project"`},
		{name: "syntax error", kind: KindPush, content: "name: new_project\nbucket: [unclosed\n", field: FileField, message: "is not valid YAML"},
		{name: "bad indentation", kind: KindPull, content: "name: new_project\n  users: x\n", field: FileField, message: "is not valid YAML"},
		{name: "document markers", kind: KindPush, content: "---\n" + file(KindPush) + "...\n"},
		{name: "two documents", kind: KindPush, content: file(KindPush) + "---\n" + file(KindPush), field: FileField, message: "more than one YAML document"},
		{name: "duplicate key", kind: KindPush, content: file(KindPush) + "name: other\n", field: "name", message: "is written twice (lines 1 and 8): keep one"},
		{name: "complex key", kind: KindPush, content: file(KindPush) + "? [a, b]\n: c\n", field: FileField, message: "a field name must be a single word"},
		{name: "too big", kind: KindPush, content: file(KindPush) + "# " + strings.Repeat("x", maxFileSize) + "\n", field: FileField, message: "too big for a dataset file"},
	})
}

func TestFieldNames(t *testing.T) {
	runFileCases(t, []fileCase{
		{name: "legacy target_bucket", kind: KindPush, content: file(KindPush, "-bucket", "target_bucket: recipient-landing"), field: "target_bucket", message: "write bucket instead"},
		{name: "misspelt users", kind: KindPush, content: file(KindPush, "Users: [alpha_user_jo]", "-users"), field: "Users", message: "write users instead"},
		{name: "hyphenated pull-arns", kind: KindPull, content: file(KindPull, "-pull_arns", "pull-arns: [arn:aws:iam::754256621582:role/r]"), field: "pull-arns", message: "write pull_arns instead"},
		{name: "pull field in push", kind: KindPush, content: file(KindPush, "pull_arns: [arn:aws:iam::754256621582:role/r]"), field: "pull_arns", message: "belongs to pull datasets, not push: remove it, or move the file to pull/"},
		{name: "allow_push in push", kind: KindPush, content: file(KindPush, "allow_push: true"), field: "allow_push", message: "belongs to pull datasets"},
		{name: "bucket in pull", kind: KindPull, content: file(KindPull, "bucket: recipient-landing"), field: "bucket", message: "belongs to push datasets, not pull: a pull dataset gets its own bucket"},
		{name: "keep_files in pull", kind: KindPull, content: file(KindPull, "keep_files: true"), field: "keep_files", message: "belongs to push datasets"},
		{name: "legacy target_bucket in pull", kind: KindPull, content: file(KindPull, "target_bucket: x"), field: "target_bucket", message: "(target_bucket is spelled bucket)"},
		{name: "unknown field", kind: KindPush, content: file(KindPush, "owner: jo"), field: "owner", message: "the fields are name, bucket, bucket_account, users, paperwork and keep_files"},
		{name: "missing name", kind: KindPush, content: file(KindPush, "-name"), field: "name", message: "is missing: write name: new_project"},
		{name: "missing bucket", kind: KindPush, content: file(KindPush, "-bucket"), field: "bucket", message: "is missing: write bucket: <the recipient's bucket name>"},
		{name: "missing bucket_account", kind: KindPush, content: file(KindPush, "-bucket_account"), field: "bucket_account", message: `is missing: write bucket_account: "<the 12-digit account that owns the bucket>"`},
		{name: "bucket_account in pull", kind: KindPull, content: file(KindPull, `bucket_account: "111122223333"`), field: "bucket_account", message: "belongs to push datasets, not pull"},
		{name: "account for bucket_account", kind: KindPush, content: file(KindPush, "-bucket_account", `account: "111122223333"`), field: "account", message: "is not a field of a push dataset: write bucket_account instead"},
		{name: "missing users", kind: KindPull, content: file(KindPull, "-users"), field: "users", message: "is missing: write users: [alpha_user_<github-name>]"},
		{name: "missing paperwork", kind: KindPull, content: file(KindPull, "-paperwork"), field: "paperwork", message: "is missing"},
		{name: "missing pull_arns", kind: KindPull, content: file(KindPull, "-pull_arns"), field: "pull_arns", message: "is missing: write pull_arns: [arn:aws:iam::"},
	})
}

func TestValueShapes(t *testing.T) {
	runFileCases(t, []fileCase{
		{name: "flag true", kind: KindPull, content: file(KindPull, "allow_push: true", "bucket_versioning: false")},
		{name: "flag True", kind: KindPush, content: file(KindPush, "keep_files: True")},
		{name: "flag as a list", kind: KindPull, content: file(KindPull, "allow_push: [True]"), field: "allow_push", message: "write allow_push: true, without brackets"},
		{name: "flag as a list of False", kind: KindPull, content: file(KindPull, "bucket_versioning:\n  - False"), field: "bucket_versioning", message: "read as true even when it holds False): write bucket_versioning: false"},
		{name: "flag yes", kind: KindPush, content: file(KindPush, "keep_files: yes"), field: "keep_files", message: `is "yes", but keep_files is true or false: write keep_files: true, with no quotes`},
		{name: "flag quoted", kind: KindPull, content: file(KindPull, `allow_push: "false"`), field: "allow_push", message: "write allow_push: false, with no quotes"},
		{name: "flag number", kind: KindPull, content: file(KindPull, "allow_push: 1"), field: "allow_push", message: "write allow_push: true"},
		{name: "flag word", kind: KindPull, content: file(KindPull, "allow_push: maybe"), field: "allow_push", message: "write allow_push: true or allow_push: false"},
		{name: "flag empty", kind: KindPush, content: file(KindPush, "keep_files:"), field: "keep_files", message: "has no value"},
		{name: "flag mapping", kind: KindPush, content: file(KindPush, "keep_files: {a: b}"), field: "keep_files", message: "is a set of fields"},
		{name: "text as a one-item list", kind: KindPush, content: file(KindPush, "bucket: [recipient-landing]"), field: "bucket", message: "is a list, but bucket is a single value: write bucket: recipient-landing"},
		{name: "text as a list", kind: KindPush, content: file(KindPush, "bucket: [a, b]"), field: "bucket", message: "is a list, but bucket is a single value"},
		{name: "text as a mapping", kind: KindPush, content: file(KindPush, "bucket: {name: x}"), field: "bucket", message: "is a set of fields, but bucket is a single value: write bucket: <the recipient's bucket name> on one line"},
		{name: "text as a number", kind: KindPush, content: file(KindPush, "bucket: 12345"), field: "bucket", message: `is read as the number 12345, not text: put it in quotes, bucket: "12345"`},
		{name: "text as a number with a leading zero", kind: KindPush, content: file(KindPush, "bucket: 012345678901"), field: "bucket", message: `is read as the number 012345678901, not text: put it in quotes, bucket: "012345678901"`},
		{name: "quoted number is text", kind: KindPush, content: file(KindPush, `bucket: "12345"`)},
		{name: "YAML 1.1 boolean in text", kind: KindPush, content: file(KindPush, "bucket: yes"), field: "bucket", message: `is read by YAML as "true" rather than "yes": put it in quotes, bucket: "yes"`},
		{name: "quoted yes is text", kind: KindPush, content: file(KindPush, `bucket: "yes"`)},
		{name: "tagged yes is text", kind: KindPush, content: file(KindPush, `bucket: !!str yes`)},
		{name: "YAML 1.1 boolean in a list", kind: KindPull, content: file(KindPull, "users: [alpha_user_jo, off]"), field: "users[1]", message: `is read by YAML as "false" rather than "off": put it in quotes, - "off"`},
		{name: "flag tagged yes", kind: KindPush, content: file(KindPush, "keep_files: !!bool yes"), field: "keep_files", message: "write keep_files: true"},
		{name: "flag tagged true", kind: KindPush, content: file(KindPush, `keep_files: !!bool "true"`)},
		{name: "list as one value", kind: KindPush, content: file(KindPush, "users: alpha_user_jo, alpha_user_kim"), field: "users", message: "is a single value, but users is a list: write users: [alpha_user_jo, alpha_user_kim]"},
		{name: "list as a mapping", kind: KindPull, content: file(KindPull, "users: {a: b}"), field: "users", message: "is a set of fields, but users is a list"},
		{name: "list item a number", kind: KindPush, content: file(KindPush, "users: [alpha_user_jo, 42]"), field: "users[1]", message: `is read as the number 42, not text: put it in quotes, - "42"`},
		{name: "list item empty", kind: KindPush, content: file(KindPush, "users:\n  - alpha_user_jo\n  -"), field: "users[1]", message: "is empty: remove the '-' line"},
		{name: "list item a list", kind: KindPull, content: file(KindPull, "pull_arns: [[a]]"), field: "pull_arns[0]", message: "is not a single value"},
		{name: "alias to a good value", kind: KindPush, content: file(KindPush, "bucket: &b recipient-landing", "paperwork: https://example.justice.gov.uk/x", "users: [alpha_user_jo]")},
	})
}

func TestName(t *testing.T) {
	long := func(n int) string { return "a" + strings.Repeat("b", n-1) }
	runFileCases(t, []fileCase{
		{name: "digits and underscores", kind: KindPush, file: "hub_2024_q1.yaml", content: file(KindPush, "name: hub_2024_q1")},
		{name: "longest push name", kind: KindPush, file: long(naming.MaxPushNameLength) + ".yaml", content: file(KindPush, "name: "+long(naming.MaxPushNameLength))},
		{name: "longest pull name", kind: KindPull, file: long(naming.MaxPullNameLength) + ".yaml", content: file(KindPull, "name: "+long(naming.MaxPullNameLength))},
		{name: "push name too long", kind: KindPush, file: long(naming.MaxPushNameLength+1) + ".yaml", content: file(KindPush, "name: "+long(naming.MaxPushNameLength+1)), field: "name", message: "is 53 characters long; a push dataset name may have at most 52 so that its mover export_<name>-move fits"},
		{name: "pull name too long", kind: KindPull, file: long(naming.MaxPullNameLength+1) + ".yaml", content: file(KindPull, "name: "+long(naming.MaxPullNameLength+1)), field: "name", message: "at most 57 so that its bucket mojap-<name> fits"},
		{name: "ends in .yaml", kind: KindPush, content: file(KindPush, "name: new_project.yaml"), field: "name", message: "ends in .yaml, but the name is the file name without it: write name: new_project"},
		{name: "capitals and hyphens", kind: KindPush, file: "new_project.yaml", content: file(KindPush, "name: New-Project"), field: "name", message: "may hold only lower-case letters, digits and underscores"},
		{name: "double underscore", kind: KindPull, file: "new__project.yaml", content: file(KindPull, "name: new__project"), field: "name", message: "two underscores in a row, which become -- in AWS names: write name: new_project"},
		{name: "trailing underscore", kind: KindPush, file: "new_project_.yaml", content: file(KindPush, "name: new_project_"), field: "name", message: "end with a letter or digit: write name: new_project"},
		{name: "starts with a digit", kind: KindPush, file: "2024_hub.yaml", content: file(KindPush, "name: 2024_hub"), field: "name", message: "must start with a letter"},
		{name: "derived bucket reserved", kind: KindPull, file: "data_s3alias.yaml", content: file(KindPull, "name: data_s3alias"), field: "name", message: "gives the bucket name mojap-data-s3alias, which AWS refuses (it ends with -s3alias, which AWS reserves)"},
		{name: "differs from file", kind: KindPull, file: "old_project.yaml", content: file(KindPull), field: "name", message: "is new_project, but the file is old_project.yaml and the two must match: write name: old_project, or rename the file to new_project.yaml"},
		{name: "file name not a name", kind: KindPush, file: "New Project.yaml", content: file(KindPush), field: "name", message: "rename the file to new_project.yaml"},
		{name: "empty", kind: KindPush, content: file(KindPush, `name: ""`), field: "name", message: "is empty: write name: new_project"},
	})
}

func TestBucket(t *testing.T) {
	runFileCases(t, []fileCase{
		{name: "dots and digits", kind: KindPush, content: file(KindPush, "bucket: hmpps.landing-2")},
		{name: "shortest", kind: KindPush, content: file(KindPush, "bucket: abc")},
		{name: "longest", kind: KindPush, content: file(KindPush, "bucket: "+strings.Repeat("a", 63))},
		{name: "ARN", kind: KindPush, content: file(KindPush, "bucket: arn:aws:s3:::recipient-landing"), field: "bucket", message: "is an ARN, but bucket is the bucket's name: write it without arn:aws:s3:::, as bucket: recipient-landing"},
		{name: "ARN with objects", kind: KindPush, content: file(KindPush, "bucket: arn:aws:s3:::recipient-landing/*"), field: "bucket", message: "as bucket: recipient-landing"},
		{name: "reversed ARN prefix", kind: KindPush, content: file(KindPush, "bucket: aws:arn:s3:::recipient-landing"), field: "bucket", message: "without aws:arn:s3:::, as bucket: recipient-landing"},
		{name: "other ARN", kind: KindPush, content: file(KindPush, "bucket: arn:aws:iam::111122223333:role/x"), field: "bucket", message: "is an ARN"},
		{name: "S3 URL", kind: KindPush, content: file(KindPush, "bucket: s3://recipient-landing/incoming/"), field: "bucket", message: "is an S3 URL, but bucket is the bucket's name: write it without s3:// or a path, as bucket: recipient-landing"},
		{name: "with a path", kind: KindPush, content: file(KindPush, "bucket: recipient-landing/incoming"), field: "bucket", message: "write bucket: recipient-landing"},
		{name: "export bucket", kind: KindPush, content: file(KindPush, "bucket: "+naming.ExportBucket), field: "bucket", message: "is the export bucket mojap-hub-exports itself"},
		{name: "empty", kind: KindPush, content: file(KindPush, "bucket:"), field: "bucket", message: "is empty: write bucket: <the recipient's bucket name>"},
		{name: "too short", kind: KindPush, content: file(KindPush, "bucket: ab"), field: "bucket", message: "is 2 characters long, but bucket names have 3 to 63"},
		{name: "too long", kind: KindPush, content: file(KindPush, "bucket: "+strings.Repeat("a", 64)), field: "bucket", message: "is 64 characters long"},
		{name: "upper case", kind: KindPush, content: file(KindPush, "bucket: Recipient-Landing"), field: "bucket", message: "has upper-case letters"},
		{name: "underscore", kind: KindPush, content: file(KindPush, "bucket: recipient_landing"), field: "bucket", message: "has an underscore, but bucket names use hyphens"},
		{name: "other character", kind: KindPush, content: file(KindPush, "bucket: recipient+landing"), field: "bucket", message: `has the character '+'`},
		{name: "starts with a hyphen", kind: KindPush, content: file(KindPush, "bucket: -landing"), field: "bucket", message: "does not start and end with a letter or digit"},
		{name: "ends with a dot", kind: KindPush, content: file(KindPush, "bucket: landing."), field: "bucket", message: "does not start and end with a letter or digit"},
		{name: "two dots", kind: KindPush, content: file(KindPush, "bucket: hmpps..landing"), field: "bucket", message: "two dots in a row"},
		{name: "IP address", kind: KindPush, content: file(KindPush, "bucket: 192.168.5.4"), field: "bucket", message: "like an IP address"},
		{name: "xn-- prefix", kind: KindPush, content: file(KindPush, "bucket: xn--landing"), field: "bucket", message: "starts with xn--"},
		{name: "sthree- prefix", kind: KindPush, content: file(KindPush, "bucket: sthree-landing"), field: "bucket", message: "starts with sthree-"},
		{name: "amzn-s3-demo- prefix", kind: KindPush, content: file(KindPush, "bucket: amzn-s3-demo-landing"), field: "bucket", message: "starts with amzn-s3-demo-"},
		{name: "-s3alias suffix", kind: KindPush, content: file(KindPush, "bucket: landing-s3alias"), field: "bucket", message: "ends with -s3alias"},
		{name: "--ol-s3 suffix", kind: KindPush, content: file(KindPush, "bucket: landing--ol-s3"), field: "bucket", message: "ends with --ol-s3"},
		{name: ".mrap suffix", kind: KindPush, content: file(KindPush, "bucket: landing.mrap"), field: "bucket", message: "ends with .mrap"},
		{name: "--x-s3 suffix", kind: KindPush, content: file(KindPush, "bucket: landing--x-s3"), field: "bucket", message: "ends with --x-s3"},
		{name: "--table-s3 suffix", kind: KindPush, content: file(KindPush, "bucket: landing--table-s3"), field: "bucket", message: "ends with --table-s3"},
	})
}

func TestBucketAccount(t *testing.T) {
	ask := "ask the recipient's platform team for the account that owns recipient-landing"
	runFileCases(t, []fileCase{
		{name: "leading zero", kind: KindPush, content: file(KindPush, `bucket_account: "012345678901"`)},
		{name: "single quotes", kind: KindPush, content: file(KindPush, `bucket_account: '754256621582'`)},
		{name: "unquoted number", kind: KindPush, content: file(KindPush, "bucket_account: 111122223333"), field: "bucket_account",
			message: `is read as the number 111122223333, not text: put it in quotes, bucket_account: "111122223333"`},
		{name: "unquoted number with a leading zero", kind: KindPush, content: file(KindPush, "bucket_account: 012345678901"), field: "bucket_account",
			message: `put it in quotes, bucket_account: "012345678901"`},
		{name: "11 digits", kind: KindPush, content: file(KindPush, `bucket_account: "12345678901"`), field: "bucket_account",
			message: `has 11 digits (12345678901), but AWS account ids have 12: check it with the recipient (a leading 0 is easily lost)`},
		{name: "13 digits", kind: KindPush, content: file(KindPush, `bucket_account: "1234567890123"`), field: "bucket_account", message: "has 13 digits (1234567890123)"},
		{name: "as the console shows it", kind: KindPush, content: file(KindPush, `bucket_account: "1111-2222-3333"`), field: "bucket_account",
			message: `is written with separators, as the AWS console shows account ids, but bucket_account is the 12 digits alone: write bucket_account: "111122223333"`},
		{name: "letters", kind: KindPush, content: file(KindPush, "bucket_account: cloudplatform"), field: "bucket_account",
			message: `is "cloudplatform", but an AWS account id is 12 digits, not a name: ` + ask},
		{name: "digits and letters", kind: KindPush, content: file(KindPush, "bucket_account: 11112222333O"), field: "bucket_account", message: `is "11112222333O", but an AWS account id is 12 digits, not a name`},
		{name: "role ARN", kind: KindPush, content: file(KindPush, "bucket_account: arn:aws:iam::754256621582:role/landing-writer"), field: "bucket_account",
			message: `is an ARN, but bucket_account is the account id alone: write bucket_account: "754256621582", if that account owns the bucket`},
		{name: "bucket ARN", kind: KindPush, content: file(KindPush, "bucket_account: arn:aws:s3:::recipient-landing"), field: "bucket_account",
			message: "is an ARN, which does not say which account owns the bucket (S3 bucket ARNs hold no account): " + ask},
		{name: "the bucket again", kind: KindPush, content: file(KindPush, "bucket_account: recipient-landing"), field: "bucket_account",
			message: "is the bucket's name again, but bucket_account is the 12-digit id of the AWS account that owns it: " + ask},
		{name: "another bucket name", kind: KindPush, content: file(KindPush, "bucket_account: hmpps-landing"), field: "bucket_account",
			message: "is a bucket name, but the bucket goes in bucket, and bucket_account is the 12-digit id of the AWS account that owns it: " + ask},
		{name: "punctuation", kind: KindPush, content: file(KindPush, `bucket_account: "#1"`), field: "bucket_account", message: `is "#1", but an AWS account id is 12 digits: write bucket_account: "<the 12-digit`},
		{name: "empty", kind: KindPush, content: file(KindPush, `bucket_account: ""`), field: "bucket_account", message: "is empty: write bucket_account: " + accountForm + " (" + ask + ")"},
		{name: "no value", kind: KindPush, content: file(KindPush, "bucket_account:"), field: "bucket_account", message: "is empty"},
		{name: "a list", kind: KindPush, content: file(KindPush, `bucket_account: ["111122223333"]`), field: "bucket_account", message: "is a list, but bucket_account is a single value: write bucket_account: 111122223333"},
	})
}

func TestUsers(t *testing.T) {
	runFileCases(t, []fileCase{
		{name: "hyphens and digits", kind: KindPull, content: file(KindPull, "users: [alpha_user_jo-2, alpha_user_a1b2]")},
		{name: "longest GitHub name", kind: KindPush, content: file(KindPush, "users: [alpha_user_"+strings.Repeat("a", 39)+"]")},
		{name: "empty list", kind: KindPush, content: file(KindPush, "users: []"), field: "users", message: "is empty: list at least one Analytical Platform user"},
		{name: "no value", kind: KindPull, content: file(KindPull, "users:"), field: "users", message: "is empty"},
		{name: "repeated", kind: KindPush, content: file(KindPush, "users: [alpha_user_jo, alpha_user_kim, alpha_user_jo]"), field: "users[2]", message: "repeats users[0] (alpha_user_jo): list each user once"},
		{name: "bare GitHub name", kind: KindPush, content: file(KindPush, "users: [jo]"), field: "users[0]", message: "is not an Analytical Platform role name: write alpha_user_jo"},
		{name: "capitals", kind: KindPull, content: file(KindPull, "users: [alpha_user_JoSmith]"), field: "users[0]", message: "has upper-case letters, but role names are lower case: write alpha_user_josmith"},
		{name: "role ARN", kind: KindPush, content: file(KindPush, "users: ['arn:aws:iam::593291632749:role/alpha_user_jo']"), field: "users[0]", message: "is an ARN, but users are role names: write alpha_user_jo"},
		{name: "GitHub name too long", kind: KindPush, content: file(KindPush, "users: [alpha_user_"+strings.Repeat("a", 40)+"]"), field: "users[0]", message: "GitHub names have at most 39"},
		{name: "double hyphen", kind: KindPush, content: file(KindPush, "users: [alpha_user_jo--smith]"), field: "users[0]", message: "does not end in a GitHub name"},
		{name: "prefix only", kind: KindPush, content: file(KindPush, "users: [alpha_user_]"), field: "users[0]", message: "does not end in a GitHub name"},
		{name: "not a name", kind: KindPush, content: file(KindPush, "users: [jo smith]"), field: "users[0]", message: "write alpha_user_ followed by the user's GitHub name"},
		{name: "empty string", kind: KindPush, content: file(KindPush, `users: [alpha_user_jo, ""]`), field: "users[1]", message: "is empty"},
	})
}

func TestPaperwork(t *testing.T) {
	noDocument := "names no document: it has neither a web link nor an identifier"
	runFileCases(t, []fileCase{
		{name: "http link", kind: KindPush, content: file(KindPush, "paperwork: http://intranet.example/dpia?id=4")},
		{name: "identifier", kind: KindPush, content: file(KindPush, "paperwork: DPIA 17056")},
		{name: "identifier after words", kind: KindPull, content: file(KindPull, "paperwork: Movement form reference no. 8900")},
		{name: "link in text", kind: KindPull, content: file(KindPull, "paperwork: See https://example.justice.gov.uk/y and ref 123")},
		{name: "quoted number", kind: KindPull, content: file(KindPull, `paperwork: "12883"`)},
		{name: "list", kind: KindPush, content: file(KindPush, "paperwork:\n  - DPIA reference no. 12883\n  - https://example.justice.gov.uk/dsa/4")},
		{name: "one-item flow list", kind: KindPull, content: file(KindPull, "paperwork: [DPIA 17056]")},
		{name: "not a link", kind: KindPush, content: file(KindPush, "paperwork: see the DPIA"), field: "paperwork", message: noDocument},
		{name: "toy data", kind: KindPull, content: file(KindPull, "paperwork: using toy data"), field: "paperwork", message: noDocument + " (a word of at least 3 characters with a digit in it): write a link, https://<link to the DPIA or data sharing agreement>, or the document's name and identifier, e.g. DPIA 17056"},
		{name: "TBD", kind: KindPull, content: file(KindPull, "paperwork: OneTrust TBD"), field: "paperwork", message: "says the paperwork is still to come (TBD), but data is shared only once it exists: write a link, https://"},
		{name: "placeholder with a number", kind: KindPull, content: file(KindPull, "paperwork: DPIA 17056 TBC"), field: "paperwork", message: "says the paperwork is still to come (TBC)"},
		{name: "no host", kind: KindPull, content: file(KindPull, "paperwork: https:///dpia"), field: "paperwork", message: "is not a web link: write a link, https://"},
		{name: "other scheme", kind: KindPull, content: file(KindPull, "paperwork: ftp://example.com/dpia"), field: "paperwork", message: "is not a web link"},
		{name: "bad link in text", kind: KindPull, content: file(KindPull, "paperwork: DPIA 17056, ftp://example.com/dpia"), field: "paperwork", message: "has ftp://example.com/dpia, which is not a web link"},
		{name: "link without https", kind: KindPush, content: file(KindPush, "paperwork: www.example.justice.gov.uk/dpia/4"), field: "paperwork", message: "is not a web link: write https://www.example.justice.gov.uk/dpia/4"},
		{name: "two lines", kind: KindPush, content: file(KindPush, "paperwork: |\n  DPIA 17056\n  DSA 4402"), field: "paperwork", message: "is on more than one line: write each reference on one line, and several as a list"},
		{name: "empty", kind: KindPush, content: file(KindPush, `paperwork: ""`), field: "paperwork", message: "is empty: write a link, https://"},
		{name: "no value", kind: KindPull, content: file(KindPull, "paperwork:"), field: "paperwork", message: "is empty: write a link"},
		{name: "empty list", kind: KindPush, content: file(KindPush, "paperwork: []"), field: "paperwork", message: "is empty: list the DPIA or data sharing agreement (its link, or its name and identifier), e.g. paperwork: https://"},
		{name: "one bad item", kind: KindPull, content: file(KindPull, "paperwork: [DPIA 17056, n/a]"), field: "paperwork[1]", message: noDocument},
		{name: "repeated item", kind: KindPush, content: file(KindPush, "paperwork: [DPIA 17056, https://example.justice.gov.uk/dsa, DPIA 17056]"), field: "paperwork[2]", message: "repeats paperwork[0] (DPIA 17056): list each reference once"},
		{name: "number", kind: KindPush, content: file(KindPush, "paperwork: 12883"), field: "paperwork", message: `is read as the number 12883, not text: put it in quotes, paperwork: "12883"`},
		{name: "number item", kind: KindPush, content: file(KindPush, "paperwork: [DPIA 17056, 12883]"), field: "paperwork[1]", message: `is read as the number 12883, not text: put it in quotes, - "12883"`},
		{name: "YAML 1.1 boolean", kind: KindPull, content: file(KindPull, "paperwork: no"), field: "paperwork", message: `is read by YAML as "false" rather than "no": put it in quotes, paperwork: "no"`},
		{name: "YAML 1.1 boolean item", kind: KindPull, content: file(KindPull, "paperwork: [DPIA 17056, no]"), field: "paperwork[1]", message: `is read by YAML as "false" rather than "no": put it in quotes, - "no"`},
		{name: "a mapping", kind: KindPush, content: file(KindPush, "paperwork: {url: x}"), field: "paperwork", message: "is a set of fields, but paperwork is one value or a list of values: write paperwork: https://<link to the DPIA or data sharing agreement>, or one '  - ' line per item"},
		{name: "an item a list", kind: KindPush, content: file(KindPush, "paperwork: [[DPIA 17056]]"), field: "paperwork[0]", message: "is not a single value"},
	})
}

// TestPaperworkProblem pins what counts as a reference to paperwork.
func TestPaperworkProblem(t *testing.T) {
	for _, reference := range []string{
		"https://example.justice.gov.uk/dpia/new-project",
		"http://intranet.example/dpia?id=4",
		"DPIA 17056",
		"Movement form reference no. 8900",
		"DPIA reference no. 12883",
		"See https://x.example/y and ref 123",
		"See https://x.example/y.",
		"OneTrust (ref OT-2231)",
		"DSA-0042",
		" DPIA 17056\n",
	} {
		if problem := PaperworkProblem(reference); problem != "" {
			t.Errorf("PaperworkProblem(%q) = %q, want it accepted", reference, problem)
		}
	}
	for reference, want := range map[string]string{
		"":                            "is empty",
		"   ":                         "is empty",
		"TBD":                         "says the paperwork is still to come (TBD)",
		"TBC":                         "says the paperwork is still to come (TBC)",
		"OneTrust TBD":                "says the paperwork is still to come (TBD)",
		"using toy data":              "names no document",
		"n/a":                         "names no document",
		"none":                        "names no document",
		"DPIA v2":                     "names no document", // too short to be an identifier
		"DPIA 17056, signed off: TBC": "says the paperwork is still to come (TBC)",
		"todo: DPIA 123":              "says the paperwork is still to come (todo)",
		"https://":                    "is not a web link",
		"DPIA 123 at https:///x":      "has https:///x, which is not a web link",
		"www.example.org/dpia":        "is not a web link: write https://www.example.org/dpia",
		"DPIA 123\nDSA 456":           "is on more than one line",
	} {
		if got := PaperworkProblem(reference); !strings.HasPrefix(got, want) {
			t.Errorf("PaperworkProblem(%q) = %q, want %q...", reference, got, want)
		}
	}
}

// TestPaperworkIsRead: one reference written as a value and several written
// as a list both load as References.
func TestPaperworkIsRead(t *testing.T) {
	dir := t.TempDir()
	writeDataset(t, dir, KindPush, "new_project.yaml", file(KindPush, "paperwork: DPIA 17056"))
	writeDataset(t, dir, KindPull, "new_project.yaml", file(KindPull, "paperwork:\n  - DPIA 17056\n  - https://example.justice.gov.uk/dsa/4"))
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := set.Push[0].Paperwork, (References{"DPIA 17056"}); !reflect.DeepEqual(got, want) {
		t.Errorf("push paperwork = %q, want %q", got, want)
	}
	if got, want := set.Pull[0].Paperwork, (References{"DPIA 17056", "https://example.justice.gov.uk/dsa/4"}); !reflect.DeepEqual(got, want) {
		t.Errorf("pull paperwork = %q, want %q", got, want)
	}
}

func TestPullARNs(t *testing.T) {
	arns := func(arn string) string { return file(KindPull, "pull_arns: ['"+arn+"']") }
	runFileCases(t, []fileCase{
		{name: "role with a path", kind: KindPull, content: arns("arn:aws:iam::111122223333:role/service-role/reader")},
		{name: "role name characters", kind: KindPull, content: arns("arn:aws:iam::111122223333:role/a+b=c,d.e@f_g-h")},
		{name: "empty list", kind: KindPull, content: file(KindPull, "pull_arns: []"), field: "pull_arns", message: "is empty: list the IAM role of each reader"},
		{name: "repeated", kind: KindPull, content: file(KindPull, "pull_arns: ['arn:aws:iam::111122223333:role/r', 'arn:aws:iam::111122223333:role/r']"), field: "pull_arns[1]", message: "repeats pull_arns[0]"},
		{name: "bucket ARN", kind: KindPull, content: arns("arn:aws:s3:::their-bucket"), field: "pull_arns[0]", message: "is an S3 ARN, but pull_arns are the IAM roles that read our bucket, not a bucket"},
		{name: "Lambda ARN", kind: KindPull, content: arns("arn:aws:lambda:eu-west-2:111122223333:function:reader"), field: "pull_arns[0]", message: "is a Lambda function ARN, but a function reads as its execution role"},
		{name: "other service ARN", kind: KindPull, content: arns("arn:aws:sqs:eu-west-2:111122223333:queue"), field: "pull_arns[0]", message: "is an ARN of the AWS service sqs"},
		{name: "star", kind: KindPull, content: arns("*"), field: "pull_arns[0]", message: "is *, which would let anyone"},
		{name: "wildcard", kind: KindPull, content: arns("arn:aws:iam::111122223333:role/reader-*"), field: "pull_arns[0]", message: "has a wildcard"},
		{name: "account root", kind: KindPull, content: arns("arn:aws:iam::111122223333:root"), field: "pull_arns[0]", message: "is the root of account 111122223333, which would let every role and user"},
		{name: "IAM user", kind: KindPull, content: arns("arn:aws:iam::111122223333:user/jo"), field: "pull_arns[0]", message: "is an IAM user, but pull_arns are roles"},
		{name: "IAM group", kind: KindPull, content: arns("arn:aws:iam::111122223333:group/readers"), field: "pull_arns[0]", message: "is an IAM group, not a role"},
		{name: "assumed-role session", kind: KindPull, content: arns("arn:aws:sts::111122223333:assumed-role/reader/botocore-session-1"), field: "pull_arns[0]", message: "is one session of the role reader, not the role: write arn:aws:iam::111122223333:role/reader"},
		{name: "11-digit account", kind: KindPull, content: arns("arn:aws:iam::11112222333:role/reader"), field: "pull_arns[0]", message: "has an account id of 11 digits (11112222333), but AWS account ids have 12"},
		{name: "13-digit account", kind: KindPull, content: arns("arn:aws:iam::1111222233334:role/reader"), field: "pull_arns[0]", message: "of 13 digits"},
		{name: "account not digits", kind: KindPull, content: arns("arn:aws:iam::cloudplatform:role/reader"), field: "pull_arns[0]", message: `has the account id "cloudplatform"`},
		{name: "no account", kind: KindPull, content: arns("arn:aws:iam:::role/reader"), field: "pull_arns[0]", message: "has no account id"},
		{name: "bare account id", kind: KindPull, content: arns("754256621582"), field: "pull_arns[0]", message: "is an account id alone, which would let every role and user in account 754256621582 read the bucket: write the ARN of the role that needs it, arn:aws:iam::754256621582:role/<role-name>"},
		{name: "role name only", kind: KindPull, content: arns("reader"), field: "pull_arns[0]", message: "is not an ARN"},
		{name: "reversed prefix", kind: KindPull, content: arns("aws:arn:iam::111122223333:role/reader"), field: "pull_arns[0]", message: "write arn:aws:iam::111122223333:role/reader"},
		{name: "incomplete", kind: KindPull, content: arns("arn:aws:iam"), field: "pull_arns[0]", message: "is not a complete ARN"},
		{name: "other partition", kind: KindPull, content: arns("arn:aws-cn:iam::111122223333:role/reader"), field: "pull_arns[0]", message: `partition "aws-cn"`},
		{name: "with a region", kind: KindPull, content: arns("arn:aws:iam:eu-west-2:111122223333:role/reader"), field: "pull_arns[0]", message: "has the region eu-west-2, but IAM ARNs have none: write arn:aws:iam::111122223333:role/reader"},
		{name: "role name too long", kind: KindPull, content: arns("arn:aws:iam::111122223333:role/" + strings.Repeat("r", 65)), field: "pull_arns[0]", message: "role names are 1 to 64"},
		{name: "no role name", kind: KindPull, content: arns("arn:aws:iam::111122223333:role/"), field: "pull_arns[0]", message: `has the role name ""`},
		{name: "bad path", kind: KindPull, content: arns("arn:aws:iam::111122223333:role/a b/reader"), field: "pull_arns[0]", message: `has the role path "/a b/"`},
	})
}

// TestEveryProblemInOneRun checks that Load reports all mistakes of all files
// at once, sorted by file and in each file's order.
func TestEveryProblemInOneRun(t *testing.T) {
	dir := t.TempDir()
	pushPath := writeDataset(t, dir, KindPush, "b_push.yaml", "name: b_push\ntarget_bucket: x\nusers: [jo]\npaperwork: dpia\nkeep_files: [True]\n")
	pullPath := writeDataset(t, dir, KindPull, "a_pull.yaml", file(KindPull, "name: a_pull", "pull_arns: ['arn:aws:s3:::b', '*']", "allow_push: yes"))
	_, err := Load(dir)
	got := problemsOf(t, err)
	assertProblems(t, got, []Problem{
		{File: pullPath, Field: "allow_push"},
		{File: pullPath, Field: "pull_arns[0]"},
		{File: pullPath, Field: "pull_arns[1]"},
		{File: pushPath, Field: "target_bucket"},
		{File: pushPath, Field: "keep_files"},
		{File: pushPath, Field: "bucket_account", Message: "is missing"},
		{File: pushPath, Field: "target_bucket", Message: "3 to 63"}, // its value, checked as a bucket
		{File: pushPath, Field: "users[0]"},
		{File: pushPath, Field: "paperwork"},
	})
	if lines := strings.Split(err.Error(), "\n"); len(lines) != len(got) {
		t.Errorf("Error() has %d lines, want one per problem", len(lines))
	}
}

// TestYAML11WordsAmongOtherProblems: an unquoted YAML 1.1 true/false word
// where text is expected is reported in the same run as the file's other
// problems, through an alias too.
func TestYAML11WordsAmongOtherProblems(t *testing.T) {
	dir := t.TempDir()
	path := writeDataset(t, dir, KindPush, "new_project.yaml", file(KindPush, "bucket: &b on", "users: [jo, *b]"))
	assertProblems(t, problemsOf(t, second(Load(dir))), []Problem{
		{path, "bucket", `is read by YAML as "true" rather than "on": put it in quotes, bucket: "on"`},
		{path, "users[1]", `is read by YAML as "true" rather than "on": put it in quotes, - "on"`},
		{path, "users[0]", "is not an Analytical Platform role name: write alpha_user_jo"},
	})
}

func TestDirectory(t *testing.T) {
	t.Run("missing directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "nowhere")
		_, err := Load(dir)
		got := problemsOf(t, err)
		if len(got) != 1 || got[0].File != dir || !strings.Contains(got[0].Message, "does not exist: set DATASETS_DIR") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("datasets dir is a file", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "datasets")
		if err := os.WriteFile(dir, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		got := problemsOf(t, second(Load(dir)))
		if len(got) != 1 || got[0].File != dir || !strings.Contains(got[0].Message, "is not a directory") {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("no push or pull directory", func(t *testing.T) {
		set, err := Load(t.TempDir())
		if err != nil || set.Len() != 0 {
			t.Fatalf("got %v, %v; want an empty set", set, err)
		}
	})
	t.Run("kind is a file", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "push"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		got := problemsOf(t, second(Load(dir)))
		if len(got) != 1 || got[0].File != filepath.Join(dir, "push") || !strings.Contains(got[0].Message, "is a file, but push datasets live in a directory") {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("nothing is ignored", func(t *testing.T) {
		dir := t.TempDir()
		writeDataset(t, dir, KindPush, "good.yaml", file(KindPush, "name: good"))
		yml := writeDataset(t, dir, KindPush, "other.yml", file(KindPush, "name: other"))
		json := writeDataset(t, dir, KindPull, "reader.json", "{}")
		readme := writeDataset(t, dir, KindPull, "README", "notes")
		sub := filepath.Join(dir, "pull", "old")
		writeDataset(t, dir, KindPull, "old/x.yaml", file(KindPull, "name: x"))
		got := problemsOf(t, second(Load(dir)))
		want := map[string]string{
			yml:    "rename it to other.yaml",
			json:   "rename it to reader.yaml",
			readme: "rename it to README.yaml if it is a dataset, or remove it",
			sub:    "is a directory, but dataset files go directly in pull/",
		}
		if len(got) != len(want) {
			t.Fatalf("got %d problems, want %d:\n%v", len(got), len(want), got)
		}
		for _, p := range got {
			if !strings.Contains(p.Message, want[p.File]) || p.Field != FileField {
				t.Errorf("got %s, want %s: %s: ...%s", p, p.File, FileField, want[p.File])
			}
		}
	})
}

func second[T any](_ T, err error) error { return err }

func TestDuplicateNames(t *testing.T) {
	dir := t.TempDir()
	a := writeDataset(t, dir, KindPull, "a_copy.yaml", file(KindPull, "name: reader"))
	b := writeDataset(t, dir, KindPull, "reader.yaml", file(KindPull, "name: reader"))
	writeDataset(t, dir, KindPush, "reader.yaml", file(KindPush, "name: reader")) // another kind may share a name
	got := problemsOf(t, second(Load(dir)))
	want := []Problem{
		{a, "name", "is reader, but the file is a_copy.yaml"},
		{a, "name", "makes the same bucket mojap-reader as " + b},
		{b, "name", "makes the same bucket mojap-reader as " + a},
	}
	assertProblems(t, got, want)
}

func TestSetOrderAndUsers(t *testing.T) {
	dir := t.TempDir()
	writeDataset(t, dir, KindPush, "zeta.yaml", file(KindPush, "name: zeta", "users: [alpha_user_kim, alpha_user_jo]"))
	writeDataset(t, dir, KindPush, "alpha.yaml", file(KindPush, "name: alpha", "users: [alpha_user_jo]", "keep_files: true"))
	writeDataset(t, dir, KindPull, "beta.yaml", file(KindPull, "name: beta", "allow_push: true"))
	writeDataset(t, dir, KindPull, "ab.yaml", file(KindPull, "name: ab"))
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 4 || set.Push[0].Name != "alpha" || set.Push[1].Name != "zeta" || set.Pull[0].Name != "ab" || set.Pull[1].Name != "beta" {
		t.Fatalf("datasets not sorted by name: %+v", set)
	}
	if !set.Push[0].KeepFiles || set.Push[1].KeepFiles || !set.Pull[1].AllowPush || set.Pull[0].AllowPush {
		t.Fatalf("flags not decoded: %+v", set)
	}
	if want := filepath.Join(dir, "push", "zeta.yaml"); set.Push[1].File != want {
		t.Fatalf("File = %q, want %q", set.Push[1].File, want)
	}
	var got []string
	for _, u := range set.PushByUser() {
		var names []string
		for _, d := range u.Datasets {
			names = append(names, d.Name)
		}
		got = append(got, u.Role+"="+strings.Join(names, ","))
	}
	if want := []string{"alpha_user_jo=alpha,zeta", "alpha_user_kim=zeta"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("PushByUser = %v, want %v", got, want)
	}
}

// TestShippedExamples loads the example datasets, which the tests of the
// stack and the demo deploy.
func TestShippedExamples(t *testing.T) {
	dir := filepath.Join("..", naming.ExamplesDir)
	set, err := Load(dir)
	if err != nil {
		t.Fatalf("the shipped examples are not valid:\n%v", err)
	}
	want := Set{
		Push: []Push{
			{Name: "court_listings_archive", Bucket: "cloud-platform-court-archive", BucketAccount: "123456789012", Users: []string{"alpha_user_analyst_two"},
				Paperwork: References{"https://example.justice.gov.uk/data-sharing/court-listings-archive"}, KeepFiles: true, File: filepath.Join(dir, "push/court_listings_archive.yaml")},
			{Name: "performance_hub_daily", Bucket: "hmpps-performance-hub-landing", BucketAccount: "123456789012", Users: []string{"alpha_user_analyst_one", "alpha_user_analyst_two"},
				Paperwork: References{"https://example.justice.gov.uk/dpia/performance-hub-daily"}, File: filepath.Join(dir, "push/performance_hub_daily.yaml")},
		},
		Pull: []Pull{
			{Name: "probation_caseload", PullARNs: []string{"arn:aws:iam::754256621582:role/probation-caseload-reader"},
				GCPReaders:   []federation.GCPReader{{ServiceAccountUniqueID: "104523178690123456789", ServiceAccountEmail: "caseload-reader@probation-analysis.iam.gserviceaccount.com"}},
				AzureReaders: []federation.AzureReader{{TenantID: "2f6d3c1e-8b4a-4e5f-9a7d-1c3b5e7f9a2d", ObjectID: "9c1e5a7b-3d2f-4b6a-8e0c-7f1d3b5a9c2e", ClientID: "5b8d2f4a-6c1e-4a3b-9d7f-0e2c4a6b8d1f"}},
				Users:        []string{"alpha_user_analyst_one"},
				Paperwork:    References{"https://example.justice.gov.uk/dpia/probation-caseload"}, BucketVersioning: true, File: filepath.Join(dir, "pull/probation_caseload.yaml")},
			{Name: "tribunal_outcomes", PullARNs: []string{"arn:aws:iam::111122223333:role/tribunal-sync", "arn:aws:iam::754256621582:role/cp-tribunal-irsa"},
				Users: []string{"alpha_user_analyst_three"}, Paperwork: References{"https://example.justice.gov.uk/data-sharing/tribunal-outcomes"}, AllowPush: true, File: filepath.Join(dir, "pull/tribunal_outcomes.yaml")},
		},
	}
	if !reflect.DeepEqual(*set, want) {
		t.Fatalf("Load(.) =\n%+v\nwant\n%+v", *set, want)
	}
}

// TestMisspeltFieldValuesAreChecked: a misspelt field is reported, and so is
// what is wrong with its value, under the name written, in the same run.
func TestMisspeltFieldValuesAreChecked(t *testing.T) {
	dir := t.TempDir()
	path := writeDataset(t, dir, KindPush, "new_project.yaml", file(KindPush, "-users", "user: [alpha_user_jo, jo]", "-bucket", "target_bucket: [a, b]"))
	got := problemsOf(t, second(Load(dir)))
	want := []Problem{
		{path, "user", "is not a field of a push dataset: write users instead"},
		{path, "target_bucket", "is not a field of a push dataset: write bucket instead"},
		{path, "target_bucket", "is a list, but bucket is a single value"},
		{path, "user[1]", "is not an Analytical Platform role name: write alpha_user_jo"},
	}
	assertProblems(t, got, want)
}
