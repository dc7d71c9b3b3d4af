/** Placeholder: a document's chunks. */
export default function DocumentPage() {
  return <section class="page"><h1>Document</h1></section>;
}
