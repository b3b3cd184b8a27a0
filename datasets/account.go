package datasets

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// accountForm is how bucket_account is written: in quotes, since YAML reads
// unquoted digits as a number, and a number loses a leading zero.
const accountForm = `"<the 12-digit account that owns the bucket>"`

// checkBucketAccount checks the account said to own a push dataset's
// recipient bucket. An unquoted number never gets here: checkText refuses
// it, quoting the digits as written.
func checkBucketAccount(fp *fileProblems, account, bucket string) {
	const field = "bucket_account"
	if fp.reported(field) {
		return
	}
	if message := accountProblem(account, bucket); message != "" {
		fp.add(field, message)
	}
}

// accountProblem says why account is not a 12-digit AWS account id, and
// what to write instead; "" when it is one.
func accountProblem(account, bucket string) string {
	ask := "ask the recipient's platform team for the account that owns " + orPlaceholder(bucket)
	digitsOnly := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, account)
	switch {
	case account == "":
		return "is empty: write bucket_account: " + accountForm + " (" + ask + ")"
	case naming.IsAccountID(account):
		return ""
	case naming.IsAccountID(digitsOnly):
		return fmt.Sprintf("is written with separators, as the AWS console shows account ids, but bucket_account is the 12 digits alone: write bucket_account: %q", digitsOnly)
	case digits.MatchString(account):
		return fmt.Sprintf("has %d digits (%s), but AWS account ids have 12: check it with the recipient (a leading 0 is easily lost), and write it in quotes, bucket_account: \"<12 digits>\"", len(account), account)
	case strings.HasPrefix(account, "arn:"):
		return arnAsAccountProblem(account, ask)
	case account == bucket:
		return "is the bucket's name again, but bucket_account is the 12-digit id of the AWS account that owns it: " + ask + ", and write bucket_account: " + accountForm
	case bucketNameProblem(account) == "" && strings.ContainsAny(account, "-."):
		return fmt.Sprintf("is a bucket name, but the bucket goes in bucket, and bucket_account is the 12-digit id of the AWS account that owns it: %s, and write bucket_account: %s", ask, accountForm)
	case strings.IndexFunc(account, unicode.IsLetter) >= 0:
		return fmt.Sprintf("is %q, but an AWS account id is 12 digits, not a name: %s, and write bucket_account: %s", shorten(account), ask, accountForm)
	}
	return fmt.Sprintf("is %q, but an AWS account id is 12 digits: write bucket_account: %s", shorten(account), accountForm)
}

// arnAsAccountProblem is the fix for an ARN written where the account id
// belongs: the ARN's account when it has one (an IAM role's), else a
// request to ask (an S3 bucket's ARN holds no account).
func arnAsAccountProblem(arn, ask string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && naming.IsAccountID(parts[4]) {
		return fmt.Sprintf("is an ARN, but bucket_account is the account id alone: write bucket_account: %q, if that account owns the bucket", parts[4])
	}
	return "is an ARN, which does not say which account owns the bucket (S3 bucket ARNs hold no account): " + ask + ", and write bucket_account: " + accountForm
}

// orPlaceholder is the bucket's name, or a placeholder when the file gives
// none.
func orPlaceholder(bucket string) string {
	if bucket == "" {
		return "the bucket"
	}
	return bucket
}
