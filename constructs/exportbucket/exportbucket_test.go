package exportbucket_test

import (
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdapermission"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"

	"github.com/ministryofjustice/data-engineering-exports/constructs/exportbucket"
	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/constructs/securebucket"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/synthtest"
)

func TestMain(m *testing.M) { synthtest.Main(m) }

const account = "123456789012"

// TestOnlyPlatformUsersWrite: the export bucket's policy refuses every
// object write by any principal but an alpha_user_* role of the account, in
// one statement whatever the number of datasets, then the TLS denies; its
// server access logs go to the log bucket.
func TestOnlyPlatformUsersWrite(t *testing.T) {
	stack := synthtest.Synth(t, func(scope constructs.Construct) {
		logs := s3bucketpolicy.NewS3BucketPolicy(scope, jsii.String("log_grant"), &s3bucketpolicy.S3BucketPolicyConfig{
			Bucket: jsii.String("mojap-hub-exports-access-logs"), Policy: jsii.String("{}"),
		})
		logs.OverrideLogicalId(jsii.String("log_grant"))
		exportbucket.New(scope, "exports", exportbucket.Config{
			Name: "mojap-hub-exports", AccountID: jsii.String(account), FailedMovesQueue: "mojap-hub-exports-failed-moves",
			AccessLogs: &securebucket.AccessLogs{Bucket: "mojap-hub-exports-access-logs", Grant: logs},
		})
	})
	anyone := map[string][]string{"AWS": {"*"}}
	everything := []string{"arn:aws:s3:::mojap-hub-exports", "arn:aws:s3:::mojap-hub-exports/*"}
	synthtest.AssertPolicy(t, "export bucket policy", stack.Policy(t, "aws_s3_bucket_policy", "shared-export_bucket_policy", "policy"), iampolicy.Document{
		Version: "2012-10-17",
		Statement: []iampolicy.Statement{
			{
				Sid: "DenyObjectWritesExceptPlatformUsers", Effect: "Deny", Principal: anyone,
				Action: []string{
					"s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectVersionAcl", "s3:PutObjectTagging", "s3:PutObjectVersionTagging",
					"s3:PutObjectRetention", "s3:PutObjectLegalHold", "s3:ReplicateObject", "s3:ReplicateTags",
				},
				Resource:  []string{"arn:aws:s3:::mojap-hub-exports/*"},
				Condition: iampolicy.Condition{"ArnNotLike": {"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/alpha_user_*"}}},
			},
			{
				Sid: "DenyInsecureTransport", Effect: "Deny", Principal: anyone, Action: []string{"s3:*"}, Resource: everything,
				Condition: iampolicy.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
			},
			{
				Sid: "DenyOutdatedTLS", Effect: "Deny", Principal: anyone, Action: []string{"s3:*"}, Resource: everything,
				Condition: iampolicy.Condition{"NumericLessThan": {"s3:TlsVersion": {"1.2"}}},
			},
		},
	})
	stack.AssertResource(t, "aws_s3_bucket_logging", "shared-export_bucket_logging", map[string]any{
		"bucket":        "${aws_s3_bucket.shared-export_bucket.id}",
		"target_bucket": "mojap-hub-exports-access-logs",
		"target_prefix": "mojap-hub-exports/",
		"depends_on":    []any{"aws_s3_bucket_policy.log_grant"},
	})
	stack.AssertResource(t, "aws_s3_bucket_lifecycle_configuration", "shared-export_bucket_lifecycle", map[string]any{
		"bucket": "${aws_s3_bucket.shared-export_bucket.id}",
		"rule": []any{synthtest.WholeBucketRule("abort-incomplete-multipart-uploads",
			map[string]map[string]any{"abort_incomplete_multipart_upload": {"days_after_initiation": 7}})},
	})
}

func TestExportBucketAndQueue(t *testing.T) {
	stack := synthtest.Synth(t, func(scope constructs.Construct) {
		exportbucket.New(scope, "exports", exportbucket.Config{Name: "mojap-hub-exports", AccountID: jsii.String(account), FailedMovesQueue: "mojap-hub-exports-failed-moves"}).AddNotification(nil)
	})
	if got := stack.Resource(t, "aws_s3_bucket", "shared-export_bucket")["bucket"]; got != "mojap-hub-exports" {
		t.Errorf("bucket = %v", got)
	}
	stack.Resource(t, "aws_s3_bucket_policy", "shared-export_bucket_policy")
	if versioning := stack.Resources("aws_s3_bucket_versioning"); len(versioning) != 0 {
		t.Errorf("the export bucket is versioned: moved files would stay as old versions")
	}
	stack.HasResourceWithProperties(t, "aws_sqs_queue", map[string]any{
		"name":                      "mojap-hub-exports-failed-moves",
		"message_retention_seconds": 14 * 24 * 60 * 60,
		"sqs_managed_sse_enabled":   true,
	})
	stack.Resource(t, "aws_sqs_queue", "shared-failed_moves_queue")
	if notifications := stack.Resources("aws_s3_bucket_notification"); len(notifications) != 0 {
		t.Errorf("a notification with no push datasets: %v", notifications)
	}
	alarm := stack.Resource(t, "aws_cloudwatch_metric_alarm", "shared-failed_moves_alarm")
	stack.HasResourceWithProperties(t, "aws_cloudwatch_metric_alarm", map[string]any{
		"alarm_name":          "mojap-hub-exports-failed-moves",
		"namespace":           "AWS/SQS",
		"metric_name":         "ApproximateNumberOfMessagesVisible",
		"dimensions":          map[string]any{"QueueName": "${aws_sqs_queue.shared-failed_moves_queue.name}"},
		"comparison_operator": "GreaterThanThreshold",
		"threshold":           0,
		"treat_missing_data":  "notBreaching",
	})
	if _, set := alarm["alarm_actions"]; set {
		t.Errorf("alarm_actions = %v with no topic configured; want none", alarm["alarm_actions"])
	}
}

func TestFailedMovesAlarmNotifiesTheTopic(t *testing.T) {
	topic := "arn:aws:sns:eu-west-1:123456789012:data-engineering-alerts"
	stack := synthtest.Synth(t, func(scope constructs.Construct) {
		exportbucket.New(scope, "exports", exportbucket.Config{Name: "mojap-hub-exports", AccountID: jsii.String(account), FailedMovesQueue: "mojap-hub-exports-failed-moves", AlarmActions: []string{topic}})
	})
	stack.HasResourceWithProperties(t, "aws_cloudwatch_metric_alarm", map[string]any{
		"alarm_actions": []any{topic},
		"ok_actions":    []any{topic},
	})
}

func TestOneNotificationForEveryPushDataset(t *testing.T) {
	stack := synthtest.Synth(t, func(scope constructs.Construct) {
		exports := exportbucket.New(scope, "exports", exportbucket.Config{Name: "mojap-hub-exports", AccountID: jsii.String(account), FailedMovesQueue: "mojap-hub-exports-failed-moves"})
		var targets []exportbucket.NotificationTarget
		for _, name := range []string{"alpha", "beta"} {
			permission := lambdapermission.NewLambdaPermission(scope, jsii.String(name), &lambdapermission.LambdaPermissionConfig{
				Action: jsii.String("lambda:InvokeFunction"), FunctionName: jsii.String(name), Principal: jsii.String("s3.amazonaws.com"),
			})
			permission.OverrideLogicalId(jsii.String("permission_" + name))
			targets = append(targets, exportbucket.NotificationTarget{
				ID: "push-" + name, Prefix: name + "/", FunctionARN: jsii.String("arn:aws:lambda:eu-west-1:123456789012:function:" + name), Permission: permission,
			})
		}
		exports.AddNotification(targets)
	})
	notification := stack.Resource(t, "aws_s3_bucket_notification", "shared-notification")
	if len(stack.Resources("aws_s3_bucket_notification")) != 1 {
		t.Fatal("more than one notification resource for the export bucket")
	}
	stack.HasResourceWithProperties(t, "aws_s3_bucket_notification", map[string]any{
		"bucket": "${aws_s3_bucket.shared-export_bucket.id}",
		"lambda_function": []any{
			map[string]any{"id": "push-alpha", "events": []any{"s3:ObjectCreated:*"}, "filter_prefix": "alpha/",
				"lambda_function_arn": "arn:aws:lambda:eu-west-1:123456789012:function:alpha"},
			map[string]any{"id": "push-beta", "events": []any{"s3:ObjectCreated:*"}, "filter_prefix": "beta/",
				"lambda_function_arn": "arn:aws:lambda:eu-west-1:123456789012:function:beta"},
		},
		"depends_on": []any{"aws_lambda_permission.permission_alpha", "aws_lambda_permission.permission_beta"},
	})
	if entries, _ := notification["lambda_function"].([]any); len(entries) != 2 {
		t.Errorf("%d notification entries, want 2", len(entries))
	}
}
