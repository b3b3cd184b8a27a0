package exportbucket_test

import (
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdapermission"

	"github.com/ministryofjustice/data-engineering-exports/constructs/exportbucket"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/synthtest"
)

func TestMain(m *testing.M) { synthtest.Main(m) }

func TestExportBucketAndQueue(t *testing.T) {
	stack := synthtest.Synth(t, func(scope constructs.Construct) {
		exportbucket.New(scope, "exports", exportbucket.Config{Name: "mojap-hub-exports", FailedMovesQueue: "mojap-hub-exports-failed-moves"}).AddNotification(nil)
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
		exportbucket.New(scope, "exports", exportbucket.Config{Name: "mojap-hub-exports", FailedMovesQueue: "mojap-hub-exports-failed-moves", AlarmActions: []string{topic}})
	})
	stack.HasResourceWithProperties(t, "aws_cloudwatch_metric_alarm", map[string]any{
		"alarm_actions": []any{topic},
		"ok_actions":    []any{topic},
	})
}

func TestOneNotificationForEveryPushDataset(t *testing.T) {
	stack := synthtest.Synth(t, func(scope constructs.Construct) {
		exports := exportbucket.New(scope, "exports", exportbucket.Config{Name: "mojap-hub-exports", FailedMovesQueue: "mojap-hub-exports-failed-moves"})
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
