import { createContext, useContext } from 'react';

/** A value a form refuses: its path among the settings (`schedule.start`, `categories.2.name`). */
export interface FieldProblem {
  /** Empty for a problem of no one field (the host refused, the connection dropped). */
  field: string;
  message: string;
}

export const FieldProblemContext = createContext<{ problem: FieldProblem | null; id: string }>({
  problem: null,
  id: '',
});

/** aria-invalid and aria-errormessage for the control of `field`, while the problem is there. */
export function invalidProps(
  problem: FieldProblem | null,
  id: string,
  field: string,
): React.AriaAttributes {
  return problem?.field === field ? { 'aria-invalid': true, 'aria-errormessage': id } : {};
}

/** invalidProps for the fields inside a FieldProblemContext. */
export function useInvalid(): (field: string) => React.AriaAttributes {
  const { problem, id } = useContext(FieldProblemContext);
  return (field) => invalidProps(problem, id, field);
}

/** The message, shown where the fields under `under` are (`''`: a problem of no one field). */
export function FieldError({ under }: { under: string }) {
  const { problem, id } = useContext(FieldProblemContext);
  if (!problem || (problem.field !== under && !problem.field.startsWith(`${under}.`))) return null;
  return (
    <p className="errors" role="alert" id={id}>
      {problem.message}
    </p>
  );
}
