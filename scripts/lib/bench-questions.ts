/**
 * Realistic questions about OpenTelemetry, cycled through by the latency runs of the benchmark
 * (the corpus is the OpenTelemetry documentation).
 */

/** Questions covering the Collector, sampling, propagation, conventions, SDKs and operations. */
export const OTEL_QUESTIONS: readonly string[] = [
  "How do I configure the OpenTelemetry Collector to receive OTLP over gRPC and HTTP?",
  "What does the batch processor do in the Collector and how should I configure it?",
  "How do I add the memory_limiter processor to a Collector pipeline?",
  "What is the difference between head-based and tail-based sampling?",
  "How do I configure the tail sampling processor to keep traces with errors?",
  "How does the ParentBased sampler work together with TraceIdRatioBased?",
  "How is trace context propagated between services with the W3C traceparent header?",
  "What is baggage and how do I set and read baggage entries?",
  "How do I choose propagators with the OTEL_PROPAGATORS environment variable?",
  "What are the semantic conventions for HTTP server spans?",
  "Which resource attributes should every service set, such as service.name?",
  "How do I export traces to Jaeger or Zipkin?",
  "How do I configure the OTLP exporter endpoint, protocol and headers?",
  "How do I use zero-code instrumentation in Python with opentelemetry-instrument?",
  "How do I create spans manually with the Python SDK?",
  "How do I attach the OpenTelemetry Java agent to my application?",
  "How do I instrument a Go HTTP server with otelhttp?",
  "How do I set up the Node.js SDK with automatic instrumentation for JavaScript?",
  "How do I instrument a browser application with OpenTelemetry JS?",
  "What does the OpenTelemetry Operator for Kubernetes do?",
  "How do I inject auto-instrumentation into Kubernetes pods with the Instrumentation resource?",
  "Should I deploy the Collector as an agent DaemonSet or as a gateway?",
  "How does the logs bridge API connect existing logging libraries to OpenTelemetry?",
  "Which metric instruments exist, such as counter, up-down counter, histogram and gauge?",
  "How do views change the aggregation and attributes of metrics?",
  "What are span events, span links and span status?",
  "How do I troubleshoot an application whose telemetry never reaches the Collector?",
  "How do I print telemetry for debugging with the debug exporter?",
  "What are exemplars and how do they link metrics to traces?",
  "How do I collect container logs with the filelog receiver?",
  "What is the k8sattributes processor used for?",
  "How do I configure the SDK with OTEL_SERVICE_NAME and OTEL_TRACES_SAMPLER?",
];
