package migrate

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ministryofjustice/data-engineering-exports/testsupport/datasetfiles"
)

// migrateFiles writes the legacy files (paths relative to the earlier
// tool's repository, and contents) into a new repository, migrates it to a
// new datasets directory and returns the report.
func migrateFiles(t *testing.T, pathsAndContents ...string) *Report {
	t.Helper()
	from := t.TempDir()
	datasetfiles.Write(t, from, pathsAndContents...)
	return migrateDir(t, from, filepath.Join(t.TempDir(), "datasets"), false)
}

func migrateDir(t *testing.T, from, to string, force bool) *Report {
	t.Helper()
	report, err := Run(Options{From: from, To: to, Force: force})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return report
}

// only is the report of the one legacy file migrated.
func only(t *testing.T, r *Report) *FileReport {
	t.Helper()
	if len(r.Files) != 1 {
		t.Fatalf("%d files in the report, want 1:\n%s", len(r.Files), r.Markdown())
	}
	return r.Files[0]
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestQuirks migrates one file per quirk seen in the earlier tool's
// production files (all invented here): each gives exactly our file, the
// mechanical changes, and the decisions validate asks a person to take.
func TestQuirks(t *testing.T) {
	cases := []struct {
		name          string
		file, content string
		// want is our file's exact content, at wantFile (under the
		// datasets directory); both empty when the file is refused.
		wantFile, want string
		// wantChanges are in the mechanical changes, in order.
		wantChanges []string
		// wantDecisions are the fields validate refuses, in its order.
		wantDecisions []string
		// wantReport is in the Markdown report.
		wantReport []string
	}{
		{
			name: "target_bucket names the recipient",
			file: "push_datasets/court_hearings_feed.yaml",
			content: "name: court_hearings_feed\ntarget_bucket: listing-service-landing\nkeep_files: false\n" +
				"users:\n  - alpha_user_priya-patel\npaperwork: https://justiceuk.sharepoint.com/dpia/hearings\n",
			wantFile: "push/court_hearings_feed.yaml",
			want: "name: court_hearings_feed\nbucket: listing-service-landing\nusers:\n  - alpha_user_priya-patel\n" +
				"paperwork: https://justiceuk.sharepoint.com/dpia/hearings\n",
			wantChanges: []string{"`target_bucket` is written `bucket`",
				"`keep_files: false` (line 3) is left out: the earlier tool read it as false, and our files leave out a flag that is false."},
			// The earlier tool's files have no account: only the recipient
			// can give it.
			wantDecisions: []string{"bucket_account"},
			wantReport: []string{"Keeps the mover role and function `export_court_hearings_feed-move` and export prefix `court_hearings_feed/`.",
				"1. `bucket_account`: validate says “is missing: write bucket_account: \"<the 12-digit account that owns the bucket>\"”",
				"its mover delivers to `listing-service-landing` whichever account owns it",
				"Our mover delivers only to a bucket owned by the account the file names, and this file names none.",
				"- `bucket_account: \"<12 digits>\"`, in quotes, the account that owns `listing-service-landing`: ask the recipient's platform team for it",
				"if another account ever owns it, S3 refuses every delivery and the files stay in `mojap-hub-exports/court_hearings_feed/`",
				"- nothing yet: leave this file out of the migration and keep the dataset on the earlier tool until the recipient names the account"},
		},
		{
			name:     "a hyphenated pull name keeps its bucket",
			file:     "pull_datasets/adjudications-insights.yaml",
			content:  "name: adjudications-insights\npull_arns:\n  - arn:aws:iam::754256621582:role/adjudications-reader\nusers:\n  - alpha_user_kofi-mensah\npaperwork: https://justiceuk.sharepoint.com/dpia/adjudications\n",
			wantFile: "pull/adjudications_insights.yaml",
			want:     "name: adjudications_insights\npull_arns:\n  - arn:aws:iam::754256621582:role/adjudications-reader\nusers:\n  - alpha_user_kofi-mensah\npaperwork: https://justiceuk.sharepoint.com/dpia/adjudications\n",
			wantChanges: []string{
				"`name: adjudications-insights` is written `name: adjudications_insights`: our names use underscores, and the bucket is `mojap-adjudications-insights` either way.",
				"The file `adjudications-insights.yaml` becomes `pull/adjudications_insights.yaml`: our file names equal the dataset's name.",
			},
			wantReport: []string{"Keeps the bucket `mojap-adjudications-insights`."},
		},
		{
			name:    "a hyphenated push name is refused: the mover and the prefix would change",
			file:    "push_datasets/adjudications-insights.yaml",
			content: "name: adjudications-insights\ntarget_bucket: adjudications-landing\nusers: [alpha_user_kofi-mensah]\npaperwork: https://justiceuk.sharepoint.com/dpia/adj\n",
			wantReport: []string{"`name: adjudications-insights`: validate says “may hold only lower-case letters",
				"The earlier tool made the mover role and function `export_adjudications-insights-move` and export prefix `adjudications-insights/` from this name; the name our rules would take, `adjudications_insights`, makes the mover role and function `export_adjudications_insights-move` and export prefix `adjudications_insights/` instead",
				"keep this dataset on the earlier tool for now"},
		},
		{
			name:        "a pull file named unlike its name is named after the name",
			file:        "pull_datasets/cjs_dashboard.yaml",
			content:     "name: cjs-dashboard\npull_arns: [arn:aws:iam::754256621582:role/cjs-dashboard-live]\nusers: [alpha_user_jane-doe]\npaperwork: https://justiceuk.sharepoint.com/dpia/cjs\n",
			wantFile:    "pull/cjs_dashboard.yaml",
			want:        "name: cjs_dashboard\npull_arns:\n  - arn:aws:iam::754256621582:role/cjs-dashboard-live\nusers:\n  - alpha_user_jane-doe\npaperwork: https://justiceuk.sharepoint.com/dpia/cjs\n",
			wantChanges: []string{"`name: cjs-dashboard` is written `name: cjs_dashboard`"},
			wantReport:  []string{"Keeps the bucket `mojap-cjs-dashboard`."},
		},
		{
			name:     "a push file named unlike its name is named after the name",
			file:     "push_datasets/visits.yaml",
			content:  "name: prison_visits_weekly\ntarget_bucket: visits-exchange\nusers: [alpha_user_sam-lee]\npaperwork: https://justiceuk.sharepoint.com/dpia/visits\n",
			wantFile: "push/prison_visits_weekly.yaml",
			want:     "name: prison_visits_weekly\nbucket: visits-exchange\nusers:\n  - alpha_user_sam-lee\npaperwork: https://justiceuk.sharepoint.com/dpia/visits\n",
			wantChanges: []string{
				"The file `visits.yaml` becomes `push/prison_visits_weekly.yaml`: the earlier tool made every AWS name from `name`, not from the file name",
				"`target_bucket` is written `bucket`"},
			wantDecisions: []string{"bucket_account"},
			wantReport:    []string{"`export_prison_visits_weekly-move`"},
		},
		{
			name:        "[True] was deployed as true",
			file:        "pull_datasets/tribunal_sync.yaml",
			content:     pullWith("allow_push: [True]\nbucket_versioning: [ True ]\n"),
			wantFile:    "pull/tribunal_sync.yaml",
			want:        pullWant("allow_push: true\nbucket_versioning: true\n"),
			wantChanges: []string{"`allow_push: [True]` is written `allow_push: true`, as the earlier tool read it.", "`bucket_versioning: [True]` is written `bucket_versioning: true`"},
		},
		{
			name:          "[False] was deployed as true: choosing false removes access",
			file:          "pull_datasets/tribunal_sync.yaml",
			content:       pullWith("allow_push: [False]\n"),
			wantFile:      "pull/tribunal_sync.yaml",
			want:          pullWant("allow_push: [False]\n"),
			wantDecisions: []string{"allow_push"},
			wantReport: []string{
				"The earlier tool read `allow_push: [False]` as true (it read any list that is not empty as true, whatever it holds): today the roles in pull_arns may write to and delete from `mojap-tribunal-sync` as well as read it.",
				"- `allow_push: true`: keeps what is deployed today",
				"- `allow_push: false`: REMOVES the write and delete access the roles in pull_arns have to `mojap-tribunal-sync` today",
			},
		},
		{
			name:          "keep_files: [False] was deployed as true",
			file:          "push_datasets/hub_daily.yaml",
			content:       "name: hub_daily\ntarget_bucket: hub-landing\nkeep_files: [False]\nusers: [alpha_user_sam-lee]\npaperwork: https://justiceuk.sharepoint.com/dpia/hub\n",
			wantFile:      "push/hub_daily.yaml",
			want:          "name: hub_daily\nbucket: hub-landing\nusers:\n  - alpha_user_sam-lee\npaperwork: https://justiceuk.sharepoint.com/dpia/hub\nkeep_files: [False]\n",
			wantChanges:   []string{"`target_bucket` is written `bucket`"},
			wantDecisions: []string{"keep_files", "bucket_account"},
			wantReport:    []string{"- `keep_files: false`: the mover starts to delete each file from `mojap-hub-exports/hub_daily/` once it is copied, which it does not do today."},
		},
		{
			name:          "quoted \"False\" was deployed as true",
			file:          "pull_datasets/tribunal_sync.yaml",
			content:       pullWith("allow_push: \"False\"\nbucket_versioning: 'True'\n"),
			wantFile:      "pull/tribunal_sync.yaml",
			want:          pullWant("allow_push: \"False\"\nbucket_versioning: true\n"),
			wantChanges:   []string{"`bucket_versioning: 'True'` is written `bucket_versioning: true`"},
			wantDecisions: []string{"allow_push"},
			wantReport:    []string{"The earlier tool read `allow_push: \"False\"` as true (it read any text that is not empty as true, whatever it says)"},
		},
		{
			name:        "scalar flags in YAML 1.1 spellings",
			file:        "pull_datasets/tribunal_sync.yaml",
			content:     pullWith("allow_push: True\nbucket_versioning: no\n"),
			wantFile:    "pull/tribunal_sync.yaml",
			want:        pullWant("allow_push: true\n"),
			wantChanges: []string{"`allow_push: True` is written `allow_push: true`", "`bucket_versioning: no` (line 7) is left out"},
		},
		{
			name:        "a flag with no value, or an empty list, was false",
			file:        "pull_datasets/tribunal_sync.yaml",
			content:     pullWith("allow_push:\nbucket_versioning: []\n"),
			wantFile:    "pull/tribunal_sync.yaml",
			want:        pullWant(""),
			wantChanges: []string{"`allow_push:` (line 6) is left out", "`bucket_versioning: []` (line 7) is left out"},
		},
		{
			name:          "a flag that says nothing clear, deployed as true",
			file:          "pull_datasets/tribunal_sync.yaml",
			content:       pullWith("allow_push: [True, False]\n"),
			wantFile:      "pull/tribunal_sync.yaml",
			want:          pullWant("allow_push: [True, False]\n"),
			wantDecisions: []string{"allow_push"},
			wantReport:    []string{"The earlier tool read `allow_push: [True, False]` as true"},
		},
		{
			name:          "missing paperwork is left out, for a person to find",
			file:          "pull_datasets/tribunal_sync.yaml",
			content:       "name: tribunal_sync\npull_arns: [arn:aws:iam::111122223333:role/tribunal-sync]\nusers: [alpha_user_ola-nowak]\n",
			wantFile:      "pull/tribunal_sync.yaml",
			want:          "name: tribunal_sync\npull_arns:\n  - arn:aws:iam::111122223333:role/tribunal-sync\nusers:\n  - alpha_user_ola-nowak\n",
			wantDecisions: []string{"paperwork"},
			wantReport: []string{"The earlier tool's file gives no paperwork, and the earlier tool never asked for any.",
				"- end the export (see \"When an export ends\"): REMOVES the access its users and the roles in pull_arns have to `mojap-tribunal-sync` today."},
		},
		{
			name:          "a placeholder is kept, for validate to refuse",
			file:          "push_datasets/hub_daily.yaml",
			content:       "name: hub_daily\ntarget_bucket: hub-landing\nusers: [alpha_user_sam-lee]\npaperwork: OneTrust TBD\n",
			wantFile:      "push/hub_daily.yaml",
			want:          "name: hub_daily\nbucket: hub-landing\nusers:\n  - alpha_user_sam-lee\npaperwork: OneTrust TBD\n",
			wantChanges:   []string{"`target_bucket` is written `bucket`"},
			wantDecisions: []string{"bucket_account", "paperwork"},
			wantReport:    []string{"The earlier tool's file gives `OneTrust TBD`, and the earlier tool never checked it."},
		},
		{
			name:          "toy data is no paperwork",
			file:          "pull_datasets/tribunal_sync.yaml",
			content:       strings.Replace(pullWith(""), "https://justiceuk.sharepoint.com/dpia/tribunal", "using toy data", 1),
			wantFile:      "pull/tribunal_sync.yaml",
			want:          strings.Replace(pullWant(""), "https://justiceuk.sharepoint.com/dpia/tribunal", "using toy data", 1),
			wantDecisions: []string{"paperwork"},
		},
		{
			name:     "a free-text reference is carried across as written",
			file:     "pull_datasets/tribunal_sync.yaml",
			content:  strings.Replace(pullWith(""), "https://justiceuk.sharepoint.com/dpia/tribunal", "DPIA reference no. 12883", 1),
			wantFile: "pull/tribunal_sync.yaml",
			want:     strings.Replace(pullWant(""), "https://justiceuk.sharepoint.com/dpia/tribunal", "DPIA reference no. 12883", 1),
		},
		{
			name: "a list mixing links in text and references stays a list",
			file: "pull_datasets/tribunal_sync.yaml",
			content: strings.Replace(pullWith(""), "paperwork: https://justiceuk.sharepoint.com/dpia/tribunal\n",
				"paperwork:\n  - DPIA 17056 (https://justiceuk.sharepoint.com/dpia/17056)\n  - Movement form reference: 8900\n  -\n", 1),
			wantFile: "pull/tribunal_sync.yaml",
			want: strings.Replace(pullWant(""), "paperwork: https://justiceuk.sharepoint.com/dpia/tribunal\n",
				"paperwork:\n  - DPIA 17056 (https://justiceuk.sharepoint.com/dpia/17056)\n  - 'Movement form reference: 8900'\n", 1),
			wantChanges: []string{
				"`paperwork` text `Movement form reference: 8900` (line 8) is written in quotes: unquoted, YAML read it as a field rather than text.",
				"An empty item of `paperwork` (line 9) is not carried across: it holds no reference.",
			},
		},
		{
			name:          "a placeholder beside a reference can go",
			file:          "pull_datasets/tribunal_sync.yaml",
			content:       strings.Replace(pullWith(""), "paperwork: https://justiceuk.sharepoint.com/dpia/tribunal\n", "paperwork: [DPIA 17056, OneTrust TBC]\n", 1),
			wantFile:      "pull/tribunal_sync.yaml",
			want:          strings.Replace(pullWant(""), "paperwork: https://justiceuk.sharepoint.com/dpia/tribunal\n", "paperwork:\n  - DPIA 17056\n  - OneTrust TBC\n", 1),
			wantDecisions: []string{"paperwork[1]"},
			wantReport: []string{"The earlier tool's file gives `OneTrust TBC`, and the earlier tool never checked it. Choose:\n" +
				"   - nothing (remove this item): the other references stay, and access stays as it is today.\n"},
		},
		{
			name:     "a one-item paperwork list is one reference",
			file:     "pull_datasets/tribunal_sync.yaml",
			content:  strings.Replace(pullWith(""), "paperwork: https://", "paperwork:\n  - https://", 1),
			wantFile: "pull/tribunal_sync.yaml",
			want:     pullWant(""),
			wantChanges: []string{
				"`paperwork` is a list of one, written as that one reference.",
			},
		},
		{
			name:     "user names with upper-case letters are the same roles in lower case",
			file:     "pull_datasets/tribunal_sync.yaml",
			content:  strings.Replace(pullWith(""), "alpha_user_ola-nowak", "alpha_user_JaneDoe\n  - Alpha_User_ola-nowak", 1),
			wantFile: "pull/tribunal_sync.yaml",
			want:     strings.Replace(pullWant(""), "alpha_user_ola-nowak", "alpha_user_janedoe\n  - alpha_user_ola-nowak", 1),
			wantChanges: []string{
				"`users[0]` `alpha_user_JaneDoe` is written `alpha_user_janedoe`: IAM role names do not depend on case, so it is the same role, and ours are lower case.",
				"`users[1]` `Alpha_User_ola-nowak` is written `alpha_user_ola-nowak`",
			},
		},
		{
			name: "an indented document with comments after values, trailing spaces and no final newline",
			file: "pull_datasets/tribunal_sync.yaml",
			content: "  # Owner: Tribunals team  \n  name: tribunal_sync   # the sync service  \n  pull_arns:  \n" +
				"    # The partner's sync role.\n    - arn:aws:iam::111122223333:role/tribunal-sync   # live\n" +
				"  users:\n   - alpha_user_ola-nowak\n  paperwork: https://justiceuk.sharepoint.com/dpia/tribunal  ",
			wantFile: "pull/tribunal_sync.yaml",
			want: "# Owner: Tribunals team\nname: tribunal_sync # the sync service\npull_arns:\n" +
				"  # The partner's sync role.\n  - arn:aws:iam::111122223333:role/tribunal-sync # live\n" +
				"users:\n  - alpha_user_ola-nowak\npaperwork: https://justiceuk.sharepoint.com/dpia/tribunal\n",
		},
		{
			name:     "indented by one space",
			file:     "pull_datasets/tribunal_sync.yaml",
			content:  indent(pullWith("allow_push: true\n"), " "),
			wantFile: "pull/tribunal_sync.yaml",
			want:     pullWant("allow_push: true\n"),
		},
		{
			name:          "an IAM user principal waits for a decision; an SSO role with a long path is a role",
			file:          "pull_datasets/tribunal_sync.yaml",
			content:       strings.Replace(pullWith(""), "  - arn:aws:iam::111122223333:role/tribunal-sync\n", "  - arn:aws:iam::345678901234:user/yjb-data-loader\n  - "+ssoRole+"\n", 1),
			wantFile:      "pull/tribunal_sync.yaml",
			want:          strings.Replace(pullWant(""), "  - arn:aws:iam::111122223333:role/tribunal-sync\n", "  - arn:aws:iam::345678901234:user/yjb-data-loader\n  - "+ssoRole+"\n", 1),
			wantDecisions: []string{"pull_arns[0]"},
			wantReport: []string{
				"The earlier tool let the IAM user `arn:aws:iam::345678901234:user/yjb-data-loader` read `mojap-tribunal-sync`: a user, with long-lived access keys, where our readers are roles.",
				"`arn:aws:iam::345678901234:role/<role-name>`: the reader keeps access through the role once they use it instead of the user's keys: on AWS, a role is the fix.",
				"REMOVES the access this user has to `mojap-tribunal-sync` today.",
				"their identity there, under `gcp_readers` or `azure_readers`, and remove this line",
			},
		},
		{
			name:     "a bucket field in a pull file was ignored, and is not carried across",
			file:     "pull_datasets/tribunal_sync.yaml",
			content:  pullWith("bucket: tribunal-sync-data   # where the data goes\n"),
			wantFile: "pull/tribunal_sync.yaml",
			want:     pullWant(""),
			wantChanges: []string{"`bucket: tribunal-sync-data` (line 6) was not read by the earlier tool: a pull dataset's bucket is always `mojap-tribunal-sync`, made from its name, and still is. " +
				"Its comment, not carried across either: `# where the data goes`."},
		},
		{
			name:        "empty comment lines and commented-out settings are dropped; the rest kept",
			file:        "pull_datasets/tribunal_sync.yaml",
			content:     "# Tribunal outcomes for the partner.\n#\nname: tribunal_sync\n# allow_push: true\n# The partner reads nightly.\npull_arns:\n  - arn:aws:iam::111122223333:role/tribunal-sync\n  #- arn:aws:iam::111122223333:role/old\nusers:\n  - alpha_user_ola-nowak\npaperwork: https://justiceuk.sharepoint.com/dpia/tribunal\n",
			wantFile:    "pull/tribunal_sync.yaml",
			want:        "# Tribunal outcomes for the partner.\nname: tribunal_sync\n# The partner reads nightly.\npull_arns:\n  - arn:aws:iam::111122223333:role/tribunal-sync\nusers:\n  - alpha_user_ola-nowak\npaperwork: https://justiceuk.sharepoint.com/dpia/tribunal\n",
			wantChanges: []string{},
			wantReport:  []string{"- Comments not carried across (empty, or commented-out settings): `#`, `# allow_push: true`, `#- arn:aws:iam::111122223333:role/old`."},
		},
		{
			name:        "a field the earlier tool did not read is named, not carried",
			file:        "pull_datasets/tribunal_sync.yaml",
			content:     pullWith("keep_files: true\nowner: tribunals team\n"),
			wantFile:    "pull/tribunal_sync.yaml",
			want:        pullWant(""),
			wantChanges: []string{"`keep_files: true` (line 6) is not a field the earlier tool read from pull files", "`owner: tribunals team` (line 7) is not a field"},
		},
		{
			name:        "a repeated key: the earlier tool used the last",
			file:        "pull_datasets/tribunal_sync.yaml",
			content:     pullWith("allow_push: true\nallow_push: false\n"),
			wantFile:    "pull/tribunal_sync.yaml",
			want:        pullWant(""),
			wantChanges: []string{"`allow_push: true` (line 6) is written more than once; the earlier tool used the last allow_push", "`allow_push: false` (line 7) is left out"},
		},
		{
			name:        "fields merged from an anchor, as PyYAML merges them",
			file:        "pull_datasets/tribunal_sync.yaml",
			content:     "defaults: &defaults\n  users: [alpha_user_ola-nowak]\n  allow_push: true\n" + strings.Replace(pullWith("<<: *defaults\nallow_push: false\n"), "users:\n  - alpha_user_ola-nowak\n", "", 1),
			wantFile:    "pull/tribunal_sync.yaml",
			want:        pullWant(""),
			wantChanges: []string{"`defaults: {users: [alpha_user_ola-nowak], allow_push: true}` (line 1) is not a field the earlier tool read from pull files"},
		},
		{
			name:       "a key that is not a single value",
			file:       "pull_datasets/tribunal_sync.yaml",
			content:    "? [name, users]\n: tribunal_sync\n",
			wantReport: []string{"The file has a key on line 1 that is not a single value, which the earlier tool could not read"},
		},
		{
			name:       "an upper-case push name is refused",
			file:       "push_datasets/hub_daily.yaml",
			content:    "name: Hub_Daily\ntarget_bucket: hub-landing\nusers: [alpha_user_sam-lee]\npaperwork: https://justiceuk.sharepoint.com/dpia/hub\n",
			wantReport: []string{"the name our rules would take, `hub_daily`, makes the mover role and function `export_hub_daily-move` and export prefix `hub_daily/` instead"},
		},
		{
			name:       "an upper-case pull name is refused",
			file:       "pull_datasets/cjs_dashboard.yaml",
			content:    strings.Replace(pullWith(""), "name: tribunal_sync", "name: CJS-Dashboard", 1),
			wantReport: []string{"`name: CJS-Dashboard`: validate says “may hold only lower-case letters", "the name our rules would take, `cjs_dashboard`, makes the bucket `mojap-cjs-dashboard` instead: a new, empty bucket, which the readers do not read"},
		},
		{
			name:       "a name our rules cannot express is refused",
			file:       "push_datasets/model_export__search.yaml",
			content:    "name: model_export__search\ntarget_bucket: search-models\nusers: [alpha_user_sam-lee]\npaperwork: https://justiceuk.sharepoint.com/dpia/search\n",
			wantReport: []string{"validate says “has two underscores in a row", "and no name our rules allow makes the same"},
		},
		{
			name:       "a file without a name deployed nothing",
			file:       "pull_datasets/tribunal_sync.yaml",
			content:    strings.Replace(pullWith(""), "name: tribunal_sync\n", "", 1),
			wantReport: []string{"`name` is missing, and the earlier tool made every AWS name from it"},
		},
		{
			name:       "a name read as a number",
			file:       "pull_datasets/tribunal_sync.yaml",
			content:    strings.Replace(pullWith(""), "name: tribunal_sync\n", "name: 2024\n", 1),
			wantReport: []string{"`name` is the number 2024, not text"},
		},
		{
			name:       "an empty file deployed nothing",
			file:       "pull_datasets/tribunal_sync.yaml",
			content:    "  \n# nothing yet\n",
			wantReport: []string{"The file is empty, so the earlier tool deployed nothing from it"},
		},
		{
			name:       "YAML the earlier tool could not read either",
			file:       "pull_datasets/tribunal_sync.yaml",
			content:    "name: tribunal_sync\npaperwork: DPIA: 12883\n",
			wantReport: []string{"The file is not valid YAML (line 2: mapping values are not allowed in this context), so the earlier tool could not have read it either"},
		},
		{
			name:       "a tab in the indentation",
			file:       "pull_datasets/tribunal_sync.yaml",
			content:    "name: tribunal_sync\nusers:\n\t- alpha_user_ola-nowak\n",
			wantReport: []string{"The file is not valid YAML"},
		},
		{
			name:       "two documents",
			file:       "pull_datasets/tribunal_sync.yaml",
			content:    pullWith("---\n" + pullWith("")),
			wantReport: []string{"holds more than one YAML document"},
		},
		{
			name:       "a list, not a set of fields",
			file:       "pull_datasets/tribunal_sync.yaml",
			content:    "- name: tribunal_sync\n",
			wantReport: []string{"The file is a list, not a set of fields"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			report := migrateFiles(t, c.file, c.content)
			f := only(t, report)
			markdown := report.Markdown()
			if c.wantFile == "" {
				if f.Outcome != Refused || report.Status() != NotAllMigrated {
					t.Fatalf("outcome %v, status %v; want the file refused:\n%s", f.Outcome, report.Status(), markdown)
				}
				if f.Target != "" {
					if _, err := os.Stat(f.Target); err == nil {
						t.Errorf("%s written for a refused file", f.Target)
					}
				}
			} else {
				if f.Outcome != Written {
					t.Fatalf("outcome %v; want written:\n%s", f.Outcome, markdown)
				}
				if want := filepath.Join(report.To, c.wantFile); f.Target != want {
					t.Errorf("written to %s, want %s", f.Target, want)
				}
				if got := readFile(t, f.Target); got != c.want {
					t.Errorf("wrote:\n%s\nwant:\n%s", got, c.want)
				}
				wantStatus := AllMigrated
				if len(c.wantDecisions) > 0 {
					wantStatus = DecisionsPending
				}
				if report.Status() != wantStatus {
					t.Errorf("status %v, want %v", report.Status(), wantStatus)
				}
				var fields []string
				for _, d := range f.Decisions {
					fields = append(fields, d.Problem.Field)
				}
				if strings.Join(fields, " ") != strings.Join(c.wantDecisions, " ") {
					t.Errorf("decisions on %q, want %q:\n%s", fields, c.wantDecisions, markdown)
				}
				if !containsInOrder(f.Migrated.Changes, c.wantChanges) {
					t.Errorf("changes:\n%s\nwant, in order, ones holding:\n%s", strings.Join(f.Migrated.Changes, "\n"), strings.Join(c.wantChanges, "\n"))
				}
				if c.wantChanges != nil && len(c.wantChanges) == 0 && len(f.Migrated.Changes) > 0 {
					t.Errorf("changes %q, want none", f.Migrated.Changes)
				}
			}
			for _, want := range c.wantReport {
				if !strings.Contains(markdown, want) {
					t.Errorf("report lacks %q:\n%s", want, markdown)
				}
			}
		})
	}
}

// ssoRole is an IAM Identity Center role, with the long path AWS gives it.
const ssoRole = "arn:aws:iam::210987654321:role/aws-reserved/sso.amazonaws.com/eu-west-2/AWSReservedSSO_TribunalAnalyst_4f2a9c1b7d3e8a60"

// pullWith is a valid legacy pull file with extra lines at the end.
func pullWith(extra string) string {
	return "name: tribunal_sync\npull_arns:\n  - arn:aws:iam::111122223333:role/tribunal-sync\nusers:\n  - alpha_user_ola-nowak\n" + extra +
		"paperwork: https://justiceuk.sharepoint.com/dpia/tribunal\n"
}

// pullWant is pullWith's file migrated, with flags at the end.
func pullWant(flags string) string {
	return "name: tribunal_sync\npull_arns:\n  - arn:aws:iam::111122223333:role/tribunal-sync\nusers:\n  - alpha_user_ola-nowak\n" +
		"paperwork: https://justiceuk.sharepoint.com/dpia/tribunal\n" + flags
}

func indent(s, by string) string {
	return by + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+by)
}

// containsInOrder says whether each of wants is in a line of lines, after
// the line the previous one was in.
func containsInOrder(lines, wants []string) bool {
	i := 0
	for _, want := range wants {
		for i < len(lines) && !strings.Contains(lines[i], want) {
			i++
		}
		if i == len(lines) {
			return false
		}
		i++
	}
	return true
}

// TestNothingSkippedSilently: every entry of the legacy directories is in
// the report, whether the earlier tool read it or not.
func TestNothingSkippedSilently(t *testing.T) {
	from := t.TempDir()
	datasetfiles.Write(t, from,
		"pull_datasets/README.md", "How to add a pull dataset.\n",
		"pull_datasets/old_reader.yml", pullWith(""),
		"pull_datasets/archive/tribunal_sync.yaml", pullWith(""),
	)
	// A link to a file that is gone cannot be read, even by root.
	locked := filepath.Join(from, "push_datasets", "moved.yaml")
	if err := os.MkdirAll(filepath.Dir(locked), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(from, "gone.yaml"), locked); err != nil {
		t.Fatal(err)
	}
	report := migrateDir(t, from, filepath.Join(t.TempDir(), "datasets"), false)
	markdown := report.Markdown()
	for _, want := range []string{
		"- `" + filepath.Join(from, "pull_datasets", "README.md") + "` is not a .yaml file. The earlier tool read only *.yaml, so nothing was deployed from it, and it is not migrated",
		"- `" + filepath.Join(from, "pull_datasets", "old_reader.yml") + "` is not a .yaml file.",
		"- `" + filepath.Join(from, "pull_datasets", "archive") + "` is a directory. The earlier tool read only the .yaml files directly in pull_datasets/",
	} {
		if !strings.Contains(markdown, want) {
			t.Errorf("report lacks %q:\n%s", want, markdown)
		}
	}
	if want := "- **`" + locked + "`**: cannot be read (open " + locked + ": no such file or directory)."; !strings.Contains(markdown, want) {
		t.Errorf("report lacks %q:\n%s", want, markdown)
	}
	if report.Status() != NotAllMigrated {
		t.Errorf("status %v with an unreadable file", report.Status())
	}
}

// TestSameNameTwice: two files that made the same bucket cannot both have
// been deployed; neither is migrated.
func TestSameNameTwice(t *testing.T) {
	report := migrateFiles(t,
		"pull_datasets/tribunal-sync.yaml", strings.Replace(pullWith(""), "name: tribunal_sync", "name: tribunal-sync", 1),
		"pull_datasets/tribunal_sync.yaml", pullWith(""),
	)
	if report.Status() != NotAllMigrated {
		t.Fatalf("status %v", report.Status())
	}
	for _, f := range report.Files {
		if f.Outcome != Refused || !strings.Contains(f.Refusal, "makes the same bucket `mojap-tribunal-sync` as ") {
			t.Errorf("%s: outcome %v, %q", f.Source, f.Outcome, f.Refusal)
		}
	}
	if _, err := os.Stat(filepath.Join(report.To, "pull")); err == nil {
		t.Error("a file written for the colliding names")
	}
}

// TestIdempotent: a second run writes nothing new and reports the same;
// a file of ours that differs (a decision taken) is left alone unless
// --force.
func TestIdempotent(t *testing.T) {
	from, to := t.TempDir(), filepath.Join(t.TempDir(), "datasets")
	datasetfiles.Write(t, from,
		"pull_datasets/tribunal_sync.yaml", pullWith("allow_push: [False]\n"),
		"push_datasets/hub_daily.yaml", "name: hub_daily\ntarget_bucket: hub-landing\nusers: [alpha_user_sam-lee]\npaperwork: https://justiceuk.sharepoint.com/dpia/hub\n")
	first := migrateDir(t, from, to, false)
	second := migrateDir(t, from, to, false)
	if first.Status() != DecisionsPending || second.Status() != DecisionsPending {
		t.Fatalf("status %v then %v, want decisions pending twice", first.Status(), second.Status())
	}
	for _, f := range second.Files {
		if f.Outcome != Unchanged {
			t.Errorf("%s: outcome %v on the second run", f.Source, f.Outcome)
		}
	}
	if got, want := second.Markdown(), strings.ReplaceAll(first.Markdown(), ".yaml`\n", ".yaml` (already there, unchanged)\n"); got != want {
		t.Errorf("second report:\n%s\nwant:\n%s", got, want)
	}

	pull := filepath.Join(to, "pull", "tribunal_sync.yaml")
	decided := strings.Replace(readFile(t, pull), "allow_push: [False]", "allow_push: true", 1)
	if err := os.WriteFile(pull, []byte(decided), 0o644); err != nil {
		t.Fatal(err)
	}
	third := migrateDir(t, from, to, false)
	if third.Status() != NotAllMigrated || readFile(t, pull) != decided {
		t.Fatalf("status %v; the decided file must be left alone", third.Status())
	}
	if want := "`" + pull + "` exists and differs from what the migration writes (perhaps decisions were taken in it since): left as it is. Compare the two, and run migrate again with --force to replace it."; !strings.Contains(third.Markdown(), want) {
		t.Errorf("report lacks %q:\n%s", want, third.Markdown())
	}
	forced := migrateDir(t, from, to, true)
	if forced.Status() != DecisionsPending || !strings.Contains(readFile(t, pull), "allow_push: [False]") {
		t.Fatalf("status %v after --force; want the file replaced", forced.Status())
	}
	if !strings.Contains(forced.Markdown(), "tribunal_sync.yaml` (replaced, --force)") {
		t.Errorf("report does not say the file was replaced:\n%s", forced.Markdown())
	}
}

// TestNotTheEarlierTool: pointed at anything but the earlier tool's
// repository, migrate says what it found and what to do.
func TestNotTheEarlierTool(t *testing.T) {
	ours := t.TempDir()
	datasetfiles.Write(t, ours, "push/hub_daily.yaml", "name: hub_daily\n")
	repository := t.TempDir()
	datasetfiles.Write(t, repository, "datasets/pull/tribunal_sync.yaml", "name: tribunal_sync\n")
	file := filepath.Join(t.TempDir(), "push_datasets")
	datasetfiles.Write(t, filepath.Dir(file), "push_datasets", "")
	for _, c := range []struct{ from, want string }{
		{ours, "--from " + ours + " holds no push_datasets/ or pull_datasets/, but " + ours + " holds push/: those files are already in our schema, so there is nothing to migrate. Check them with DATASETS_DIR=" + ours + " go run ./cmd/exports validate"},
		{repository, "but " + filepath.Join(repository, "datasets") + " holds pull/: those files are already in our schema"},
		{t.TempDir(), "holds neither push_datasets/ nor pull_datasets/: give the directory of the earlier tool's repository"},
		{filepath.Join(ours, "missing"), "does not exist"},
		{filepath.Join(ours, "push", "hub_daily.yaml"), "is a file"},
	} {
		_, err := Run(Options{From: c.from, To: t.TempDir()})
		var usage *UsageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--from %s: %v; want a usage error saying %q", c.from, err, c.want)
		}
	}
	// A legacy directory that is a file cannot be read.
	report := migrateDir(t, filepath.Dir(file), t.TempDir(), false)
	if report.Status() != NotAllMigrated || !strings.Contains(report.Markdown(), "cannot be read") {
		t.Errorf("push_datasets as a file: status %v\n%s", report.Status(), report.Markdown())
	}
}
