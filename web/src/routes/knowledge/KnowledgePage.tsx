/** Placeholder: the knowledge explorer is built in this folder. */
export default function KnowledgePage() {
  return <section class="page"><h1>Knowledge</h1></section>;
}
