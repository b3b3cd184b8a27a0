package pushexport_test

import (
	"reflect"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/constructs/pushexport"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/synthtest"
)

func TestMain(m *testing.M) { synthtest.Main(m) }

const queueARN = "arn:aws:sqs:eu-west-1:123456789012:mojap-hub-exports-failed-moves"

func synth(t *testing.T, push datasets.Push) (*synthtest.Stack, *pushexport.PushExport) {
	t.Helper()
	var out *pushexport.PushExport
	stack := synthtest.Synth(t, func(scope constructs.Construct) {
		out = pushexport.NewPushExport(scope, "push", &pushexport.PushExportProps{
			Dataset:             push,
			ExportBucket:        "mojap-hub-exports",
			AccountID:           jsii.String("123456789012"),
			FailedMovesQueueARN: jsii.String(queueARN),
			Code:                pushexport.Code{Path: jsii.String("assets/mover.zip"), SHA256: "c2hhMjU2"},
		})
	})
	return stack, out
}

func TestMoverRoleIsLeastPrivilege(t *testing.T) {
	stack, _ := synth(t, datasets.Push{Name: "new_project", Bucket: "recipient-bucket", BucketAccount: "012345678901", Users: []string{"alpha_user_one"}})

	stack.HasResourceWithProperties(t, "aws_iam_role", map[string]any{
		"name": "export_new_project-move",
		"path": "/service-role/",
	})
	synthtest.AssertPolicy(t, "trust policy", stack.Policy(t, "aws_iam_role", "push-new_project-role", "assume_role_policy"), iampolicy.Document{
		Version: "2012-10-17",
		Statement: []iampolicy.Statement{{
			Effect:    "Allow",
			Principal: map[string][]string{"Service": {"lambda.amazonaws.com"}},
			Action:    []string{"sts:AssumeRole"},
		}},
	})
	if managed := stack.Resource(t, "aws_iam_role", "push-new_project-role")["managed_policy_arns"]; managed != nil {
		t.Errorf("managed policies on the mover role: %v", managed)
	}

	rolePolicy := stack.Resource(t, "aws_iam_role_policy", "push-new_project-role_policy")
	if rolePolicy["role"] != "${aws_iam_role.push-new_project-role.id}" {
		t.Errorf("role policy on %v", rolePolicy["role"])
	}
	policy := stack.Policy(t, "aws_iam_role_policy", "push-new_project-role_policy", "policy")
	synthtest.AssertPolicy(t, "mover policy", policy, iampolicy.Document{
		Version: "2012-10-17",
		Statement: []iampolicy.Statement{
			{Sid: "ReadAndRemoveOwnPrefix", Effect: "Allow", Action: []string{"s3:GetObject", "s3:DeleteObject"},
				Resource: []string{"arn:aws:s3:::mojap-hub-exports/new_project/*"}},
			{Sid: "ListOwnPrefix", Effect: "Allow", Action: []string{"s3:ListBucket"},
				Resource:  []string{"arn:aws:s3:::mojap-hub-exports"},
				Condition: iampolicy.Condition{"StringLike": {"s3:prefix": {"new_project/*"}}}},
			{Sid: "WriteToRecipient", Effect: "Allow", Action: []string{"s3:PutObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"},
				Resource:  []string{"arn:aws:s3:::recipient-bucket/new_project/*"},
				Condition: iampolicy.Condition{"StringEquals": {"s3:ResourceAccount": {"012345678901"}}}},
			{Sid: "ReadBackFromRecipient", Effect: "Allow", Action: []string{"s3:GetObject"},
				Resource:  []string{"arn:aws:s3:::recipient-bucket/new_project/*"},
				Condition: iampolicy.Condition{"StringEquals": {"s3:ResourceAccount": {"012345678901"}}}},
			{Sid: "WriteOwnLogs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"},
				Resource: []string{"${aws_cloudwatch_log_group.push-new_project-log_group.arn}:log-stream:*"}},
			{Sid: "ReportFailedMoves", Effect: "Allow", Action: []string{"sqs:SendMessage"},
				Resource: []string{queueARN}},
		},
	})
	synthtest.AssertLeastPrivilege(t, "mover policy", policy)
}

func TestMoverFunction(t *testing.T) {
	stack, _ := synth(t, datasets.Push{Name: "new_project", Bucket: "recipient-bucket", BucketAccount: "012345678901", Users: []string{"alpha_user_one"}, KeepFiles: true})

	function := stack.Resource(t, "aws_lambda_function", "push-new_project-function")
	want := map[string]any{
		"function_name":    "export_new_project-move",
		"role":             "${aws_iam_role.push-new_project-role.arn}",
		"runtime":          "provided.al2023",
		"handler":          "bootstrap",
		"filename":         "assets/mover.zip",
		"source_code_hash": "c2hhMjU2",
		"timeout":          float64(900),
		"memory_size":      float64(256),
	}
	for key, value := range want {
		if function[key] != value {
			t.Errorf("function %s = %v, want %v", key, function[key], value)
		}
	}
	stack.HasResourceWithProperties(t, "aws_lambda_function", map[string]any{
		"architectures": []any{"x86_64"},
		"environment": map[string]any{"variables": map[string]any{
			"DESTINATION_BUCKET":  "recipient-bucket",
			"KEEP_FILES":          "true",
			"DATASET_NAME":        "new_project",
			"DESTINATION_ACCOUNT": "012345678901",
			"SOURCE_ACCOUNT":      "123456789012",
		}},
		"depends_on": []any{"aws_cloudwatch_log_group.push-new_project-log_group"},
	})
	stack.HasResourceWithProperties(t, "aws_cloudwatch_log_group", map[string]any{
		"name":              "/aws/lambda/export_new_project-move",
		"retention_in_days": 90,
	})
	stack.HasResourceWithProperties(t, "aws_lambda_permission", map[string]any{
		"action":         "lambda:InvokeFunction",
		"function_name":  "${aws_lambda_function.push-new_project-function.function_name}",
		"principal":      "s3.amazonaws.com",
		"source_arn":     "arn:aws:s3:::mojap-hub-exports",
		"source_account": "123456789012",
	})
	stack.HasResourceWithProperties(t, "aws_lambda_function_event_invoke_config", map[string]any{
		"function_name":                "${aws_lambda_function.push-new_project-function.function_name}",
		"maximum_retry_attempts":       2,
		"maximum_event_age_in_seconds": 6 * 60 * 60,
		"destination_config":           map[string]any{"on_failure": map[string]any{"destination": queueARN}},
		"depends_on":                   []any{"aws_iam_role_policy.push-new_project-role_policy"},
	})
	// Every push dataset costs these resources, and one notification entry.
	if n := stack.Count(); n != 8 {
		t.Errorf("%d resources per push dataset, want 8", n)
	}
}

// TestMoverRoleHoldsOnlyItsOwnGrant: Terraform keeps the mover role to the
// policy "move", deleting any other inline policy and detaching every
// managed policy, such as the earlier tool's s3-access and
// AWSLambdaBasicExecutionRole on a role the stack adopts.
func TestMoverRoleHoldsOnlyItsOwnGrant(t *testing.T) {
	stack, _ := synth(t, datasets.Push{Name: "new_project", Bucket: "recipient-bucket", Users: []string{"alpha_user_one"}})
	policies := stack.Resource(t, "aws_iam_role_policies_exclusive", "push-new_project-role_policies")
	wantPolicies := map[string]any{
		"role_name":    "${aws_iam_role.push-new_project-role.name}",
		"policy_names": []any{"move"},
		// The provider reads the role's policies back after creating this
		// resource: "move" must exist by then.
		"depends_on": []any{"aws_iam_role_policy.push-new_project-role_policy"},
	}
	attachments := stack.Resource(t, "aws_iam_role_policy_attachments_exclusive", "push-new_project-role_policy_attachments")
	wantAttachments := map[string]any{
		"role_name":   "${aws_iam_role.push-new_project-role.name}",
		"policy_arns": []any{},
	}
	for name, c := range map[string]struct{ got, want map[string]any }{
		"role_policies": {policies, wantPolicies}, "role_policy_attachments": {attachments, wantAttachments},
	} {
		for key, value := range c.want {
			if !reflect.DeepEqual(c.got[key], value) {
				t.Errorf("%s %s = %#v, want %#v", name, key, c.got[key], value)
			}
		}
	}
}

// TestSourceCodeHashIsLambdas checks known answers: the base64 (not hex) of
// the SHA-256, as Lambda reports CodeSha256 and Terraform compares
// source_code_hash.
func TestSourceCodeHashIsLambdas(t *testing.T) {
	for input, want := range map[string]string{
		"":    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
		"abc": "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
	} {
		if got := pushexport.SourceCodeHash([]byte(input)); got != want {
			t.Errorf("SourceCodeHash(%q) = %q, want %q", input, got, want)
		}
	}
}

func TestNotificationTarget(t *testing.T) {
	_, mover := synth(t, datasets.Push{Name: "new_project", Bucket: "recipient-bucket", BucketAccount: "012345678901", Users: []string{"alpha_user_one"}})
	target := mover.NotificationTarget()
	if target.ID != "push-new_project" || target.Prefix != "new_project/" || target.FunctionARN == nil {
		t.Errorf("notification target %+v, want id push-new_project, prefix new_project/ and the function ARN", target)
	}
	if target.Permission != mover.Permission() {
		t.Error("the notification does not wait for the mover's invoke permission")
	}
}
