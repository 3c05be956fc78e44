// Read-only sample data. It is bundled into the worker, so every request's fresh isolate has it.
export interface Book {
  id: number;
  title: string;
  author: string;
  year: number;
}

export const books: readonly Book[] = [
  { id: 1, title: 'The Left Hand of Darkness', author: 'Ursula K. Le Guin', year: 1969 },
  { id: 2, title: 'Invisible Cities', author: 'Italo Calvino', year: 1972 },
  { id: 3, title: 'Kindred', author: 'Octavia E. Butler', year: 1979 },
  { id: 4, title: 'The Remains of the Day', author: 'Kazuo Ishiguro', year: 1989 },
];
