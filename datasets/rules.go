package datasets

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// namePattern is a dataset name: lower-case letters, digits and underscores,
// starting with a letter and ending with a letter or digit, so that
// mojap-<name-with-hyphens> starts and ends as a bucket name must.
var namePattern = regexp.MustCompile(`^[a-z]([a-z0-9_]*[a-z0-9])?$`)

// checkName checks a dataset's name against its file's stem and the AWS
// names derived from it.
func checkName(fp *fileProblems, kind Kind, stem, name string) {
	const field = "name"
	if fp.reported(field) {
		return
	}
	maxLength, derived := naming.MaxPushNameLength, "its mover export_<name>-move fits AWS's 64-character limit on role and function names"
	if kind == KindPull {
		maxLength, derived = naming.MaxPullNameLength, "its bucket mojap-<name> fits AWS's 63-character limit on bucket names"
	}
	if trimmed, ok := strings.CutSuffix(name, ".yaml"); ok {
		fp.add(field, fmt.Sprintf("ends in .yaml, but the name is the file name without it: write name: %s", trimmed))
		return
	}
	switch {
	case name == "":
		fp.add(field, "is empty: write "+example(field, stem))
	case !namePattern.MatchString(name):
		message := "may hold only lower-case letters, digits and underscores, and must start with a letter and end with a letter or digit"
		if suggestion := suggestName(name); suggestion != "" {
			message += ": write name: " + suggestion + " (and name the file " + suggestion + ".yaml)"
		}
		fp.add(field, message)
	case strings.Contains(name, "__"):
		fp.add(field, fmt.Sprintf("has two underscores in a row, which become -- in AWS names: write name: %s", suggestName(name)))
	case len(name) > maxLength:
		fp.add(field, fmt.Sprintf("is %d characters long; a %s dataset name may have at most %d so that %s: shorten it", len(name), kind, maxLength, derived))
	case kind == KindPull:
		bucket := Pull{Name: name}.BucketName()
		if reason := bucketNameProblem(bucket); reason != "" {
			fp.add(field, fmt.Sprintf("gives the bucket name %s, which AWS refuses (it %s): choose another name", bucket, reason))
		}
	}
	if !fp.reported(field) && name != stem {
		if namePattern.MatchString(stem) {
			fp.add(field, fmt.Sprintf("is %s, but the file is %s.yaml and the two must match: write name: %s, or rename the file to %s.yaml", name, stem, stem, name))
		} else {
			fp.add(field, fmt.Sprintf("is %s, but the file is %s.yaml and the two must match: rename the file to %s.yaml", name, stem, name))
		}
	}
}

// suggestName turns a name with capitals, hyphens, spaces or dots into one
// that follows the rules, or "" when there is no obvious one.
func suggestName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	suggestion := strings.Trim(b.String(), "_")
	if !namePattern.MatchString(suggestion) {
		return ""
	}
	return suggestion
}

// bucketNameProblem says how name breaks AWS's rules for general purpose
// bucket names ("is ..." / "has ..."), or "" when it follows them.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
func bucketNameProblem(name string) string {
	if n := len(name); n < 3 || n > 63 {
		unit := "characters"
		if n == 1 {
			unit = "character"
		}
		return fmt.Sprintf("is %d %s long, but bucket names have 3 to 63", n, unit)
	}
	if strings.ToLower(name) != name {
		return "has upper-case letters, but bucket names are lower case"
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '.':
		case r == '_':
			return "has an underscore, but bucket names use hyphens"
		default:
			return fmt.Sprintf("has the character %q, but bucket names hold only lower-case letters, digits, hyphens and dots", r)
		}
	}
	if !isAlphanumeric(name[0]) || !isAlphanumeric(name[len(name)-1]) {
		return "does not start and end with a letter or digit, as bucket names must"
	}
	if strings.Contains(name, "..") {
		return "has two dots in a row, which bucket names cannot"
	}
	if ipAddress.MatchString(name) {
		return "is written like an IP address, which bucket names cannot be"
	}
	for _, prefix := range reservedBucketPrefixes {
		if strings.HasPrefix(name, prefix) {
			return fmt.Sprintf("starts with %s, which AWS reserves", prefix)
		}
	}
	for _, suffix := range reservedBucketSuffixes {
		if strings.HasSuffix(name, suffix) {
			return fmt.Sprintf("ends with %s, which AWS reserves", suffix)
		}
	}
	return ""
}

var (
	ipAddress              = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$`)
	reservedBucketPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedBucketSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

func isAlphanumeric(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// checkBucket checks a push dataset's recipient bucket.
func checkBucket(fp *fileProblems, bucket string) {
	const field = "bucket"
	if fp.reported(field) {
		return
	}
	if bucket == "" {
		fp.add(field, "is empty: write "+example(field, ""))
		return
	}
	for _, arnPrefix := range []string{"arn:aws:s3:::", "aws:arn:s3:::"} {
		if rest, ok := strings.CutPrefix(bucket, arnPrefix); ok {
			fp.add(field, fmt.Sprintf("is an ARN, but bucket is the bucket's name: write it without %s, as bucket: %s", arnPrefix, bucketOfPath(rest)))
			return
		}
	}
	if strings.HasPrefix(bucket, "arn:") {
		fp.add(field, "is an ARN, but bucket is the name of the recipient's S3 bucket: ask the recipient for it, and write it alone, as bucket: <bucket-name>")
		return
	}
	if rest, ok := strings.CutPrefix(bucket, "s3://"); ok {
		fp.add(field, fmt.Sprintf("is an S3 URL, but bucket is the bucket's name: write it without s3:// or a path, as bucket: %s", bucketOfPath(rest)))
		return
	}
	if strings.Contains(bucket, "/") {
		fp.add(field, fmt.Sprintf("has a path, but bucket is the bucket's name alone (files arrive under <name>/ in it): write bucket: %s", bucketOfPath(bucket)))
		return
	}
	if bucket == naming.ExportBucket {
		fp.add(field, fmt.Sprintf("is the export bucket %s itself, where users write files to be sent: write the recipient's bucket", naming.ExportBucket))
		return
	}
	if reason := bucketNameProblem(bucket); reason != "" {
		fp.add(field, fmt.Sprintf("%s: write the recipient's bucket name exactly as AWS shows it", reason))
	}
}

// bucketOfPath is the bucket name in "bucket/key/..." or "bucket/*".
func bucketOfPath(s string) string {
	bucket, _, _ := strings.Cut(s, "/")
	return bucket
}

// userPrefix starts every Analytical Platform user's IAM role name.
const userPrefix = naming.UserRolePrefix

// githubName is a lower-cased GitHub user name: letters, digits and single
// hyphens, neither first nor last; at most maxGitHubName characters. Single
// underscores are allowed too, as in the shipped examples' placeholder users
// (alpha_user_analyst_one).
var githubName = regexp.MustCompile(`^[a-z0-9]+([-_][a-z0-9]+)*$`)

const maxGitHubName = 39

// checkUsers checks the Analytical Platform roles of a dataset.
func checkUsers(fp *fileProblems, users []string) {
	checkItems(fp, "users", users, "list at least one Analytical Platform user", "user", userProblem)
}

// checkItems checks a required list whose items must be distinct: that it
// has items, that none repeats, and each item with itemProblem.
func checkItems(fp *fileProblems, field string, items []string, fillIn, noun string, itemProblem func(string) string) {
	if fp.reported(field) {
		return
	}
	if len(items) == 0 {
		fp.add(field, "is empty: "+fillIn+", e.g. "+example(field, ""))
		return
	}
	first := map[string]int{}
	for i, item := range items {
		itemField := fmt.Sprintf("%s[%d]", field, i)
		if fp.reported(itemField) {
			continue
		}
		if j, seen := first[item]; seen {
			fp.add(itemField, fmt.Sprintf("repeats %s[%d] (%s): list each %s once", field, j, shorten(item), noun))
			continue
		}
		first[item] = i
		if message := itemProblem(item); message != "" {
			fp.add(itemField, message)
		}
	}
}

func userProblem(user string) string {
	if user == "" {
		return "is empty: write the user's role, alpha_user_<github-name>"
	}
	if strings.Contains(user, ":role/") {
		role := user[strings.LastIndex(user, "/")+1:]
		return fmt.Sprintf("is an ARN, but users are role names: write %s", role)
	}
	lower := strings.ToLower(user)
	github, hasPrefix := strings.CutPrefix(lower, userPrefix)
	switch {
	case !hasPrefix && githubName.MatchString(lower) && len(lower) <= maxGitHubName:
		return fmt.Sprintf("is not an Analytical Platform role name: write %s%s", userPrefix, lower)
	case !hasPrefix:
		return "is not an Analytical Platform role name: write alpha_user_ followed by the user's GitHub name in lower case, e.g. alpha_user_jo"
	case len(github) > maxGitHubName:
		return fmt.Sprintf("has a GitHub name of %d characters, but GitHub names have at most %d: check the spelling", len(github), maxGitHubName)
	case !githubName.MatchString(github):
		return "does not end in a GitHub name: after alpha_user_ come letters and digits, with single hyphens or underscores between them"
	case lower != user:
		return fmt.Sprintf("has upper-case letters, but role names are lower case: write %s", lower)
	}
	return ""
}
