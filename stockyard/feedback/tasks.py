from celery import shared_task

from stockyard.feedback import services


@shared_task
def mail_feedback(feedback_id: int) -> bool:
    """Mail one feedback to ``FEEDBACK_EMAIL``."""
    return services.feedback_mail(feedback_id=feedback_id)
