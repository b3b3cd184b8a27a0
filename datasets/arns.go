package datasets

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// roleARNForm is how a pull ARN must look.
const roleARNForm = "arn:aws:iam::<12-digit account>:role/<role-name>"

var (
	digits = regexp.MustCompile(`^[0-9]+$`)
	// roleName and rolePath follow IAM's CreateRole limits.
	roleName = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	rolePath = regexp.MustCompile(`^/([\x21-\x7e]+/)?$`)
)

const maxRolePath = 512

// checkPullARNs checks the roles in other accounts that may read a pull
// dataset's bucket.
func checkPullARNs(fp *fileProblems, arns []string) {
	checkItems(fp, "pull_arns", arns, "list the IAM role of each reader", "role", roleARNProblem)
}

// roleARNProblem says why arn is not the ARN of one IAM role in a 12-digit
// account, and what to write instead; "" when it is one.
func roleARNProblem(arn string) string {
	write := "write " + roleARNForm
	switch {
	case arn == "":
		return "is empty: " + write
	case arn == "*":
		return "is *, which would let anyone in any AWS account read the bucket: " + write + " for each reader"
	case strings.ContainsAny(arn, "*?"):
		return "has a wildcard, which would let every role it matches read the bucket: write the full ARN of each role that needs it"
	case digits.MatchString(arn):
		return fmt.Sprintf("is an account id alone, which would let every role and user in account %s read the bucket: write the ARN of the role that needs it, arn:aws:iam::%s:role/<role-name>", arn, arn)
	case strings.HasPrefix(arn, "aws:arn:"):
		return fmt.Sprintf("starts aws:arn:, but ARNs start arn:aws: write %s", "arn:aws:"+strings.TrimPrefix(arn, "aws:arn:"))
	case !strings.HasPrefix(arn, "arn:"):
		return "is not an ARN: " + write + " (ask the reader's platform team for their role's ARN)"
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return "is not a complete ARN: " + write
	}
	partition, service, region, account, resource := parts[1], parts[2], parts[3], parts[4], parts[5]
	switch {
	case partition != "aws":
		return fmt.Sprintf("is in the AWS partition %q, but readers must be in the standard partition: write %s", partition, roleARNForm)
	case service == "s3":
		return "is an S3 ARN, but pull_arns are the IAM roles that read our bucket, not a bucket: ask the reader for their role's ARN, " + roleARNForm
	case service == "sts" && strings.HasPrefix(resource, "assumed-role/"):
		role, _, _ := strings.Cut(strings.TrimPrefix(resource, "assumed-role/"), "/")
		return fmt.Sprintf("is one session of the role %s, not the role: write arn:aws:iam::%s:role/%s (with the role's path before its name, if it has one)", role, account, role)
	case service == "lambda":
		return "is a Lambda function ARN, but a function reads as its execution role: write that role's ARN, " + roleARNForm
	case service != "iam":
		return fmt.Sprintf("is an ARN of the AWS service %s, but pull_arns are IAM roles: write %s", service, roleARNForm)
	case region != "":
		return fmt.Sprintf("has the region %s, but IAM ARNs have none: write arn:aws:iam::%s:%s", region, account, resource)
	case account == "":
		return "has no account id: " + write
	case digits.MatchString(account) && !naming.IsAccountID(account):
		return fmt.Sprintf("has an account id of %d digits (%s), but AWS account ids have 12: check it with the reader (a leading 0 is easily lost)", len(account), account)
	case !naming.IsAccountID(account):
		return fmt.Sprintf("has the account id %q, but AWS account ids are 12 digits: %s", account, write)
	case resource == "root":
		return fmt.Sprintf("is the root of account %s, which would let every role and user in that account read the bucket: write the ARN of the role that needs it, arn:aws:iam::%s:role/<role-name>", account, account)
	case strings.HasPrefix(resource, "user/"):
		return "is an IAM user, but pull_arns are roles (users have long-lived keys): ask the reader for a role, " + roleARNForm
	case !strings.HasPrefix(resource, "role/"):
		kind, _, _ := strings.Cut(resource, "/")
		return fmt.Sprintf("is an IAM %s, not a role: write %s", kind, roleARNForm)
	}
	path, name := splitRole(strings.TrimPrefix(resource, "role"))
	switch {
	case !roleName.MatchString(name):
		return fmt.Sprintf("has the role name %q, but role names are 1 to 64 letters, digits and +=,.@_- : check the ARN with the reader", name)
	case len(path) > maxRolePath || !rolePath.MatchString(path):
		return fmt.Sprintf("has the role path %q, which IAM would refuse: check the ARN with the reader", path)
	}
	return ""
}

// splitRole splits "/path/to/name" into "/path/to/" and "name".
func splitRole(pathAndName string) (path, name string) {
	i := strings.LastIndex(pathAndName, "/")
	return pathAndName[:i+1], pathAndName[i+1:]
}
