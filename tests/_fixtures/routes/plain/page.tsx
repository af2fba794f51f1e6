export default function Page() {
  return <p>plain page</p>;
}
