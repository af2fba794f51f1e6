export default function Page() {
  return <p>inner page</p>;
}
