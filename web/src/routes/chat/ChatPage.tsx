/** Placeholder: the chat page is built in this folder. */
export default function ChatPage() {
  return <section class="page"><h1>Chat</h1></section>;
}
