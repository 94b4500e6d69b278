"""What the tests and the benchmark share: a provisioned moto (`stack`), people acting on it
(`Stack`, `Caller`), API Gateway's events (`lambda_events`), request bodies, injected
outages (`faults`), races (`concurrency`), recorded AWS calls and the DynamoDB budget, every
operation of the API (`every_operation`) and EMF metrics lines (`metrics`)."""
