-- A subscriber's dependents with their birth dates (the adult-dependent privacy rule reads them).
SELECT member_id, birth_date FROM plan_members WHERE subscriber_id = $subscriber AND member_id <> $subscriber
