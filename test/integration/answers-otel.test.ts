/**
 * Regression slice of the realistic evaluation set, OpenTelemetry: all 441 pages ingested, the 69
 * test-split questions through the chat path, thresholds 0.02 below the recorded figures.
 */
import { env } from "cloudflare:workers";
import baseline from "../eval/baseline.json";
import { describeAnswerSlice } from "../support/answer-slice";

describeAnswerSlice("OpenTelemetry", () => env.TEST_ANSWERS_OTEL, baseline.otel.thresholds);
