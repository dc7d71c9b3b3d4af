/**
 * Regression slice of the realistic evaluation set, Korean React docs: all 226 pages ingested, the
 * 35 test-split questions through the chat path, thresholds 0.02 below the recorded figures.
 */
import { env } from "cloudflare:workers";
import baseline from "../eval/baseline.json";
import { describeAnswerSlice } from "../support/answer-slice";

describeAnswerSlice("Korean React", () => env.TEST_ANSWERS_KO, baseline["react-ko"].thresholds);
